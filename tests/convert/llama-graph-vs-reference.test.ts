// The converted Llama graph, run in onnxruntime-node, against the float64 reference: logits and every trace output,
// for GQA and MHA, tied and untied heads, F32/F16/BF16 files, llama3 RoPE scaling at positions where it matters, attention_bias.
import { describe, expect, it } from 'vitest';
import { convertLlama } from '../../src/convert/index';
import { REFERENCE_BATCH } from './compare';
import { describeAgainstReference, type ReferenceCase } from './llama-family-reference';
import { createSession, runDecoder } from './onnx-session';
import { makeRandomLlamaCheckpoint } from './random-checkpoint';
import { positionIdsFromMask } from './reference-gpt2';

// theta 100 and head_dim 8 give wavelengths 6.3, 19.9, 62.8 and 199 positions; with an original context of 32,
// low_freq_factor 1 and high_freq_factor 4 that is one kept, one smoothed and two slowed-down frequency pairs.
const llama3Scaling = { factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 32 };

const cases: ReferenceCase[] = [
  { label: 'GQA (4 heads, 2 key/value heads), untied head', options: { num_key_value_heads: 2 }, firstPosition: 0 },
  { label: 'MHA (num_key_value_heads left out), tied head, F16 file', options: { seed: 11, tied: true, dtype: 'F16' }, firstPosition: 0 },
  {
    label: 'one key/value head, head_dim 8 (not hidden/heads), llama3 RoPE scaling at positions 40+, BF16 file',
    options: { seed: 12, num_key_value_heads: 1, head_dim: 8, rope_theta: 100, ropeScaling: llama3Scaling, max_position_embeddings: 128, dtype: 'BF16' },
    firstPosition: 40,
  },
  {
    label: 'attention_bias true (q/k/v and o_proj biases), GQA',
    options: { seed: 13, num_key_value_heads: 2, attention_bias: true },
    firstPosition: 0,
  },
];

describeAgainstReference('Llama', cases);

const { inputIds, attentionMask: padded } = REFERENCE_BATCH;
const unpadded = padded.map((row) => row.map(() => 1));

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
