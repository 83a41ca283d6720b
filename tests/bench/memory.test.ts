// The bench's memory figure: what the samples add up to, and the ratio the summary reports.
import { describe, expect, it } from 'vitest';
import { memoryOf } from '../../src/bench/measure-memory';
import { report, summaryOf } from '../../src/bench/report';

const MiB = 2 ** 20;

describe('the memory samples', () => {
  it('counts the WASM memory once when the backing stores already hold it', () => {
    const { samples, backingStoresIncludeWasm } = memoryOf([
      { step: 'a', jsHeapUsedBytes: 10 * MiB, backingStoreBytes: 40 * MiB, wasmMemoryBytes: 32 * MiB },
      { step: 'b', jsHeapUsedBytes: 12 * MiB, backingStoreBytes: 50 * MiB, wasmMemoryBytes: 48 * MiB },
    ]);
    expect(backingStoresIncludeWasm).toBe(true);
    expect(samples.map((s) => s.totalBytes)).toEqual([50 * MiB, 62 * MiB]);
  });

  it('adds the WASM memory when the backing stores do not hold it, or are not reported', () => {
    expect(memoryOf([{ step: 'a', jsHeapUsedBytes: 10, backingStoreBytes: 5, wasmMemoryBytes: 64 }]).samples[0].totalBytes).toBe(79);
    const unreported = memoryOf([{ step: 'a', jsHeapUsedBytes: 10, backingStoreBytes: null, wasmMemoryBytes: 64 }]);
    expect(unreported.backingStoresIncludeWasm).toBeNull();
    expect(unreported.samples[0].totalBytes).toBe(74);
  });
});

describe('the summary\'s memoryRatio', () => {
  it('is the traced peak over the plain peak when measured, null when not', () => {
    const generation = { promptTokens: 8, maxNewTokens: 32, runs: [{ ms: 100, newTokens: 32 }], ids: [1] };
    const page = {
      load: { traced: { name: 'm', loadMs: 1, outputs: 80 }, plain: { name: 'p', loadMs: 1, outputs: 9 }, crossOriginIsolated: false, numThreads: 1 },
      forward: [{ tokens: 32, plainMs: [10], tracedMs: [11], tracedWithLensMs: [12], runTraceMs: [20], runTraceForwardMs: [11], runTraceCollectMs: [9], maxLogitDifference: 0 }],
      deckGeneration: generation,
      deckLensInFirstStepGeneration: generation,
      lensAfterAnswerMs: [1],
      plainGeneration: generation,
      tracedGeneration: generation,
      errors: [],
    };
    const one = (bytes: number) => ({ name: 'x', samples: [], peakBytes: bytes, backingStoresIncludeWasm: true });
    const base = { model: { traced: 'm', plain: 'p', lengths: [32], deckLengths: [], deckSearch: '' }, generationReps: 1, chromium: 'x', conversionMs: 1, page, deck: [], deckErrors: [], notes: [], reps: 1 };
    expect(summaryOf(report({ ...base, memory: { traced: one(120 * MiB), plain: one(100 * MiB), ratio: 1.2 } })).memoryRatio).toBe(1.2);
    expect(summaryOf(report(base)).memoryRatio).toBeNull();
  });
});
