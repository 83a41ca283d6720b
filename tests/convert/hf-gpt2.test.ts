// Hugging Face's own GPT-2 checkpoints (gpt2, distilgpt2) as the Hub serves them: Conv1D weights, names with or
// without `transformer.`, the attn.bias / attn.masked_bias buffers, lm_head.weight stored although tied, F16/BF16
// files and distilgpt2's config.json fields. Each converts to the graph of the canonical layout, matches the
// float64 reference, and generates the same tokens with and without the KV cache.
import type * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertModel, describeCheckpoint } from '../../src/convert/index';
import { allTraceOutputs } from '../../src/trace/output-names';
import { readSafetensors } from '../../src/convert/safetensors';
import { mismatches, REFERENCE_BATCH } from './compare';
import { createSession, greedyGenerate, LEFT_PADDED_PROMPT, runDecoder } from './onnx-session';
import { makeRandomGpt2Checkpoint, type CheckpointOptions } from './random-checkpoint';
import { positionIdsFromMask, referenceGpt2Forward } from './reference-gpt2';

const hubLayouts: { label: string; options: CheckpointOptions }[] = [
  {
    label: 'gpt2 as on the Hub: no prefix, buffers, F32',
    options: { seed: 41, stripPrefix: true, includeBuffers: true },
  },
  {
    label: 'distilgpt2-like: its config.json fields, prefix, buffers, lm_head.weight stored though tied, F16 file',
    options: { seed: 42, distilgpt2Config: true, includeBuffers: true, storeTiedHead: true, dtype: 'F16' },
  },
  {
    label: 'no prefix, stored tied head, BF16 file',
    options: { seed: 43, stripPrefix: true, storeTiedHead: true, dtype: 'BF16' },
  },
];

const { inputIds, attentionMask: padded } = REFERENCE_BATCH;
const unpadded = padded.map((row) => row.map(() => 1));

describe.each(hubLayouts)('Hugging Face GPT-2 checkpoint, $label', ({ options }) => {
  const checkpoint = makeRandomGpt2Checkpoint(options);
  const { config, parameters } = checkpoint;
  const traceNames = allTraceOutputs(config.n_layer as number);
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await createSession(convertModel({ config, weights: checkpoint.bytes }));
  });

  it('converts to the same ONNX bytes as the canonical layout with the same values', () => {
    const canonical = makeRandomGpt2Checkpoint({ seed: options.seed, dtype: options.dtype });
    expect(convertModel({ config, weights: checkpoint.bytes })).toEqual(convertModel({ config: canonical.config, weights: canonical.bytes }));
  });

  it.each([
    ['without padding', unpadded],
    ['with a left-padded row', padded],
  ])('matches the reference on logits and every trace output, in one pass and as a cached second chunk, %s', async (_label, attentionMask) => {
    const positionIds = positionIdsFromMask(attentionMask);
    const reference = referenceGpt2Forward(config, parameters, { inputIds, attentionMask, positionIds });
    const T = inputIds[0].length;
    const whole = await runDecoder(session, config, { inputIds, attentionMask, positionIds });
    expect(mismatches(whole, reference, traceNames, 0, T)).toEqual([]);
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
    expect(mismatches(second, reference, traceNames, split, T, attentionMask)).toEqual([]);
  });

  it('is described from config.json alone with the parameter count the converter reads (buffers and a stored tied head left out)', () => {
    const stored = [...readSafetensors(checkpoint.bytes)].filter(([name]) => !/(^|\.)attn\.(masked_)?bias$/.test(name) && name !== 'lm_head.weight');
    const count = stored.reduce((sum, [, { shape }]) => sum + shape.reduce((a, b) => a * b, 1), 0);
    expect(describeCheckpoint(config)).toEqual({ family: 'gpt2', parameterCount: count, fp32Bytes: 4 * count, fp16Bytes: 2 * count });
  });
});

describe('Hugging Face GPT-2 layout, greedy generation', () => {
  it('is the same with and without the KV cache (no prefix, buffers, F16 file; untied so tokens do not just repeat)', async () => {
    const { config, bytes } = makeRandomGpt2Checkpoint({ seed: 44, stripPrefix: true, includeBuffers: true, dtype: 'F16', untied: true });
    const session = await createSession(convertModel({ config, weights: bytes }));
    const cached = await greedyGenerate(session, config, LEFT_PADDED_PROMPT, 10, true);
    expect(cached).toEqual(await greedyGenerate(session, config, LEFT_PADDED_PROMPT, 10, false));
    expect(cached[0]).toHaveLength(14);
    // Not one repeated token, which would make the comparison vacuous.
    expect(new Set(cached[0].slice(4)).size).toBeGreaterThan(2);
    expect(new Set(cached[1].slice(4)).size).toBeGreaterThan(2);
  });
});
