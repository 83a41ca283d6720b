import { describe, expect, it } from 'vitest';
import { answerText, compareRuns, END_OF_TEXT, meanStepMs, stopReason } from '../../src/maths/generation-summary';
import type { Generation, GenerationRun, GenerationStep } from '../../src/trace';

const step = (id: number, text: string, ms = 1): GenerationStep => ({ id, text, prob: 0.5, top5: [{ id, text, prob: 0.5 }], ms });
const run = (steps: GenerationStep[], done = true): GenerationRun => ({ useCache: true, steps, done, stoppedBy: done ? 'limit' : null });
const generation = (cached: GenerationRun, promptLength = 3, maxNewTokens = 4): Generation => ({
  prompt: 'p',
  promptIds: Array.from({ length: promptLength }, (_, i) => i),
  stopIds: [0],
  uncachedLimit: 16,
  prefixReuse: null,
  sampling: { temperature: 0, topK: 0, topP: 1 },
  seed: 0,
  maxNewTokens,
  cached,
  uncached: null,
});

describe('stopReason', () => {
  it('says generating while the run streams', () => {
    const r = run([step(1, 'a')], false);
    expect(stopReason(generation(r), r, 256)).toBe('generating');
  });
  it('names end-of-text, the step limit and the context limit', () => {
    const eot = run([step(1, 'a'), step(9, END_OF_TEXT)]);
    expect(stopReason(generation(eot), eot, 256)).toBe('end-of-text');
    const full = run([1, 2, 3, 4].map((i) => step(i, 'x')));
    expect(stopReason(generation(full), full, 256)).toBe('step-limit');
    const window = run([step(1, 'x')]);
    expect(stopReason(generation(window, 255, 10), window, 256)).toBe('context-limit');
    const none = run([]);
    expect(stopReason(generation(none, 256, 10), none, 256)).toBe('context-limit');
    const early = run([step(1, 'x')]);
    expect(stopReason(generation(early, 3, 10), early, 256)).toBe('stopped');
  });
});

describe('meanStepMs', () => {
  it('averages the steps and is null for none', () => {
    expect(meanStepMs(run([step(1, 'a', 2), step(2, 'b', 4)]))).toBe(3);
    expect(meanStepMs(run([]))).toBeNull();
  });
});

describe('compareRuns', () => {
  it('finds the first different token', () => {
    const a = run([step(1, 'a'), step(2, 'b'), step(3, 'c')]);
    const b = run([step(1, 'a'), step(7, 'z'), step(3, 'c')]);
    expect(compareRuns(a, b)).toEqual({ kind: 'different', step: 1, cachedId: 2, uncachedId: 7, cachedText: 'b', uncachedText: 'z' });
  });
  it('compares only the steps both runs have', () => {
    const a = run([step(1, 'a'), step(2, 'b')]);
    expect(compareRuns(a, run([step(1, 'a')], false))).toEqual({ kind: 'same', compared: 1, sameLength: false });
    expect(compareRuns(a, a)).toEqual({ kind: 'same', compared: 2, sameLength: true });
  });
});

describe('answerText', () => {
  it("decodes the steps' joined bytes (a character across tokens) and leaves out the stop token", () => {
    const withBytes = (id: number, bytes: number[]): GenerationStep => ({ ...step(id, '\ufffd'), bytes });
    const eur = [0xe2, 0x82, 0xac]; // "€" in three tokens
    const steps = [step(1, ' costs'), step(2, ' 5'), withBytes(3, eur.slice(0, 1)), withBytes(4, eur.slice(1)), step(9, '<|im_end|>')];
    expect(answerText({ useCache: true, steps, done: true, stoppedBy: 'eos' }, [9])).toBe(' costs 5€');
    expect(answerText({ useCache: true, steps: steps.slice(0, 2), done: true, stoppedBy: 'limit' }, [9])).toBe(' costs 5');
  });
});

describe('stopReason with the engine stop ids', () => {
  it("says end-of-text for a model's own stop id, and counts the uncached run against its own limit", () => {
    const eos = { ...run([step(1, 'a'), step(0, '<|im_end|>')]), stoppedBy: 'eos' as const };
    expect(stopReason(generation(eos), eos, 256)).toBe('end-of-text');
    const uncached = { ...run(Array.from({ length: 16 }, (_, i) => step(i + 1, 'x'))), useCache: false };
    expect(stopReason({ ...generation(eos, 3, 128), uncachedLimit: 16 }, uncached, 256)).toBe('step-limit');
  });
});
