// The engine lets its thread take messages between generation steps: in the browser onnxruntime-web's WASM run
// resolves through promises alone, so without a yield a newer prompt's message waited for the whole answer.
import { Tensor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { YIELD_EVERY_MS, yieldWhenDue } from '../../src/engine/event-loop-yield';
import { generateRun } from '../../src/engine/generate';
import type { LoadedModel } from '../../src/engine/load-model';

const VOCAB = 16;

/** Holds the thread for `ms`, as a synchronous WASM run does. */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** A model whose forward pass blocks for `stepMs` and resolves through a microtask only, as onnxruntime-web's WASM run does. */
function blockingModel(stepMs: number): LoadedModel {
  const model = {
    sessions: { model: { inputNames: ['input_ids', 'attention_mask', 'position_ids'], outputNames: ['logits'] } },
    async forward(inputs: Record<string, Tensor>) {
      busyWait(stepMs);
      const positions = inputs.input_ids.dims[1];
      const logits = new Float32Array(positions * VOCAB);
      for (let p = 0; p < positions; p++) logits[p * VOCAB + 3] = 5; // always token 3
      return { logits: new Tensor('float32', logits, [1, positions, VOCAB]) };
    },
  };
  return {
    info: { contextLength: 10_000, nLayer: 1, nHead: 1 },
    model,
    tokenizer: { decode: () => 'x' },
    pieces: [],
    specialIds: new Set<number>(),
    traceOutputs: [],
    stopIds: [],
  } as unknown as LoadedModel;
}

describe('yieldWhenDue', () => {
  it('lets a task queued before it run, then holds back until the budget is spent again', async () => {
    let ran = false;
    setImmediate(() => (ran = true));
    expect(await yieldWhenDue(Number.POSITIVE_INFINITY)).toBe(true);
    expect(ran).toBe(true);
    expect(await yieldWhenDue(performance.now())).toBe(false); // just yielded: not due
    expect(await yieldWhenDue(performance.now() + YIELD_EVERY_MS)).toBe(true);
  });
});

describe('a generation on a blocking runtime', () => {
  it('stops within a few steps when a message queued meanwhile supersedes it', async () => {
    let superseded = false;
    setImmediate(() => (superseded = true)); // the newer prompt's message, waiting for the thread
    const result = await generateRun(blockingModel(1), [1, 2], { maxNewTokens: 200, useCache: false, shouldStop: () => superseded });
    // Without the yields no task runs until the loop ends: all 200 steps. With them, at most one budget's worth.
    expect(result.steps.length).toBeLessThanOrEqual(YIELD_EVERY_MS + 1);
    expect(result.steps.every((step) => step.id === 3)).toBe(true);
  });
});
