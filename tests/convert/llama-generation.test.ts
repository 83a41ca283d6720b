// Greedy decoding of a converted Llama that feeds the KV cache forward must pick the same tokens as recomputing
// everything each step; the plain graph (no trace outputs) must generate the same tokens as the traced one.
import { describe, expect, it } from 'vitest';
import { convertLlama } from '../../src/convert/index';
import { createSession, greedyGenerate, LEFT_PADDED_PROMPT } from './onnx-session';
import { makeRandomLlamaCheckpoint } from './random-checkpoint';

const prompt = LEFT_PADDED_PROMPT;

describe('Llama greedy generation', () => {
  it('is the same with and without the KV cache (GQA, 10 tokens, one row left-padded)', async () => {
    const { config, bytes } = makeRandomLlamaCheckpoint({ seed: 3, num_key_value_heads: 2 });
    const session = await createSession(convertLlama({ config, weights: bytes }));
    const cached = await greedyGenerate(session, config, prompt, 10, true);
    const recomputed = await greedyGenerate(session, config, prompt, 10, false);
    expect(cached).toEqual(recomputed);
    expect(cached[0]).toHaveLength(14);
    // Not a model that repeats one token, which would make the comparison vacuous.
    expect(new Set(cached[0].slice(4)).size).toBeGreaterThan(2);
    expect(new Set(cached[1].slice(4)).size).toBeGreaterThan(2);
  });

  it('works on the plain graph without trace outputs', async () => {
    const { config, bytes } = makeRandomLlamaCheckpoint({ seed: 7, num_key_value_heads: 1 });
    const plain = await createSession(convertLlama({ config, weights: bytes, traceOutputs: false }));
    const traced = await createSession(convertLlama({ config, weights: bytes }));
    expect(plain.outputNames.some((name) => name.startsWith('trace.'))).toBe(false);
    expect(plain.outputNames).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    expect(await greedyGenerate(plain, config, prompt, 10, true)).toEqual(await greedyGenerate(traced, config, prompt, 10, true));
  });
});
