// The converted Llama graph, run in onnxruntime-node, against the float64 reference: logits and every trace output,
// for GQA and MHA, tied and untied heads, F32/F16/BF16 files, and llama3 RoPE scaling at positions where it matters.
import type * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLlama } from '../../src/convert/index';
import { allTraceOutputs } from '../../src/convert/output-names';
import { mismatches, REFERENCE_BATCH } from './compare';
import { createSession, runDecoder } from './onnx-session';
import { makeRandomLlamaCheckpoint, type LlamaCheckpointOptions } from './random-checkpoint';
import { positionIdsFromMask } from './reference-gpt2';
import { referenceLlamaForward } from './reference-llama';

// theta 100 and head_dim 8 give wavelengths 6.3, 19.9, 62.8 and 199 positions; with an original context of 32,
// low_freq_factor 1 and high_freq_factor 4 that is one kept, one smoothed and two slowed-down frequency pairs.
const llama3Scaling = { factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 32 };

const cases: { label: string; options: LlamaCheckpointOptions; firstPosition: number }[] = [
  { label: 'GQA (4 heads, 2 key/value heads), untied head', options: { num_key_value_heads: 2 }, firstPosition: 0 },
  { label: 'MHA (num_key_value_heads left out), tied head, F16 file', options: { seed: 11, tied: true, dtype: 'F16' }, firstPosition: 0 },
  {
    label: 'one key/value head, head_dim 8 (not hidden/heads), llama3 RoPE scaling at positions 40+, BF16 file',
    options: { seed: 12, num_key_value_heads: 1, head_dim: 8, rope_theta: 100, ropeScaling: llama3Scaling, max_position_embeddings: 128, dtype: 'BF16' },
    firstPosition: 40,
  },
];

const { inputIds, attentionMask: padded } = REFERENCE_BATCH;
const unpadded = padded.map((row) => row.map(() => 1));

describe.each(cases)('converted Llama: $label', ({ options, firstPosition }) => {
  const checkpoint = makeRandomLlamaCheckpoint(options);
  const { config, parameters } = checkpoint;
  const traceNames = allTraceOutputs(config.num_hidden_layers as number, { learnedPositions: false });
  const nHead = config.num_attention_heads as number;
  const kvHeads = (config.num_key_value_heads as number | undefined) ?? nHead;
  const headDim = (config.head_dim as number | undefined) ?? (config.hidden_size as number) / nHead;
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await createSession(convertLlama({ config, weights: checkpoint.bytes }));
  });

  describe.each([
    ['without padding', unpadded],
    ['with a left-padded row', padded],
  ])('%s', (_label, attentionMask) => {
    const positionIds = positionIdsFromMask(attentionMask).map((row) => row.map((position) => position + firstPosition));
    const reference = referenceLlamaForward(config, parameters, { inputIds, attentionMask, positionIds });
    const T = inputIds[0].length;

    it('matches the reference on logits and every trace output in one pass', async () => {
      const outputs = await runDecoder(session, config, { inputIds, attentionMask, positionIds });
      expect(Object.keys(outputs).filter((name) => name.startsWith('trace.')).sort()).toEqual([...traceNames].sort());
      expect(mismatches(outputs, reference, traceNames, 0, T)).toEqual([]);
    });

    it('gives the same second chunk with a KV cache as a single full pass', async () => {
      const split = 4;
      const first = await runDecoder(session, config, {
        inputIds: inputIds.map((row) => row.slice(0, split)),
        attentionMask: attentionMask.map((row) => row.slice(0, split)),
        positionIds: positionIds.map((row) => row.slice(0, split)),
      });
      const second = await runDecoder(session, config, {
        inputIds: inputIds.map((row) => row.slice(split)),
        attentionMask,
        positionIds: positionIds.map((row) => row.slice(split)),
        past: first,
      });
      // The cache keeps the key/value heads; the attn.k trace is expanded to the query heads.
      expect(second['present.0.key'].dims).toEqual([2, kvHeads, T, headDim]);
      expect(second['trace.layer.0.attn.k'].dims).toEqual([2, nHead, T, headDim]);
      expect(mismatches(second, reference, traceNames, split, T, attentionMask)).toEqual([]);
    });
  });
});

describe('llama3 RoPE scaling', () => {
  it('changes the logits at positions past the original context (so the tests above exercise it)', async () => {
    const scaled = makeRandomLlamaCheckpoint(cases[2].options);
    const plainConfig = { ...scaled.config, rope_scaling: null };
    const feed = { inputIds, attentionMask: unpadded, positionIds: positionIdsFromMask(unpadded).map((row) => row.map((p) => p + 40)) };
    const withScaling = await runDecoder(await createSession(convertLlama({ config: scaled.config, weights: scaled.bytes })), scaled.config, feed);
    const without = await runDecoder(await createSession(convertLlama({ config: plainConfig, weights: scaled.bytes })), plainConfig, feed);
    const a = withScaling.logits.data as Float32Array;
    const b = without.logits.data as Float32Array;
    const maxDiff = a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i])), 0);
    expect(maxDiff).toBeGreaterThan(0.05);
  });
});
