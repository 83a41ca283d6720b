// Greedy decoding that feeds the KV cache forward must pick the same tokens as recomputing everything each step.
import { describe, expect, it } from 'vitest';
import { convertGpt2 } from '../../src/convert/index';
import { createSession, greedyGenerate, LEFT_PADDED_PROMPT } from './onnx-session';
import { makeRandomGpt2Checkpoint } from './random-checkpoint';

describe('greedy generation', () => {
  it('is the same with and without the KV cache (10 tokens, one row left-padded)', async () => {
    // An untied LM head: tied random models tend to repeat one token, which would make this test vacuous.
    const { config, bytes } = makeRandomGpt2Checkpoint({ seed: 3, untied: true });
    const session = await createSession(convertGpt2({ config, weights: bytes }));
    const prompt = LEFT_PADDED_PROMPT;
    const cached = await greedyGenerate(session, config, prompt, 10, true);
    const recomputed = await greedyGenerate(session, config, prompt, 10, false);
    expect(cached).toEqual(recomputed);
    expect(cached[0]).toHaveLength(14);
    expect(new Set(cached[0].slice(4)).size).toBeGreaterThan(2);
    expect(new Set(cached[1].slice(4)).size).toBeGreaterThan(2);
  });

  it('works on the plain graph without trace outputs', async () => {
    const { config, bytes } = makeRandomGpt2Checkpoint({ seed: 7 });
    const plain = await createSession(convertGpt2({ config, weights: bytes, traceOutputs: false }));
    const traced = await createSession(convertGpt2({ config, weights: bytes }));
    expect(plain.outputNames.some((name) => name.startsWith('trace.'))).toBe(false);
    const prompt = { inputIds: [[5, 12, 33, 9]], attentionMask: [[1, 1, 1, 1]] };
    expect(await greedyGenerate(plain, config, prompt, 10, true)).toEqual(await greedyGenerate(traced, config, prompt, 10, true));
  });
});
