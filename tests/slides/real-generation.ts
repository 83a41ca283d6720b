// Real Generations from the embedded model (assets/models/sotu-gpt) in Node: a Trace, then greedy
// generation with and without the KV cache, assembled as the deck's worker would. Load once per file.
import { loadModelInNode } from '../../src/cli/model-folder';
import { generate } from '../../src/engine/generate';
import type { LoadedModel } from '../../src/engine/load-model';
import { runTrace } from '../../src/engine/run-trace';
import type { Generation, Trace } from '../../src/trace';

export const GENERATION_PROMPTS = {
  ordinary: 'The Congress should',
  oneToken: 'x',
  hostile: '<script>alert("x")</script> 👩‍👩‍👧 你好',
} as const;

export interface RealGeneration {
  trace: Trace;
  generation: Generation;
}

let loading: Promise<LoadedModel> | null = null;
function model(): Promise<LoadedModel> {
  loading ??= loadModelInNode('sotu-gpt');
  return loading;
}

export async function realGeneration(prompt: string, maxNewTokens = 10): Promise<RealGeneration> {
  const loaded = await model();
  const trace = await runTrace(loaded, prompt);
  const promptIds = trace.tokens.map((token) => token.id);
  const options = { maxNewTokens, stopAtEndOfText: false };
  const cachedSteps = await generate(loaded, promptIds, { ...options, useCache: true });
  const uncachedSteps = await generate(loaded, promptIds, { ...options, useCache: false });
  const generation: Generation = {
    prompt,
    promptIds,
    sampling: { temperature: 0, topK: 0, topP: 1 },
    seed: 0,
    maxNewTokens,
    stopIds: [],
    cached: { useCache: true, steps: cachedSteps, done: true, stoppedBy: 'limit' },
    uncached: { useCache: false, steps: uncachedSteps, done: true, stoppedBy: 'limit' },
    uncachedLimit: maxNewTokens,
    prefixReuse: null,
  };
  return { trace, generation };
}

/** The same Generation caught mid-stream: the cached run has `cachedSteps` steps, the uncached run has not started or has a few. */
export function streamingCopy(generation: Generation, cachedSteps: number, uncachedSteps: number | null): Generation {
  return {
    ...generation,
    cached: { ...generation.cached, steps: generation.cached.steps.slice(0, cachedSteps), done: cachedSteps >= generation.cached.steps.length },
    uncached:
      uncachedSteps === null || !generation.uncached
        ? null
        : { ...generation.uncached, steps: generation.uncached.steps.slice(0, uncachedSteps), done: false },
  };
}

/** Renders a slide into a fresh <section> with a Generation in its context, as the deck would. */
export function renderWithGeneration(
  slide: { render(root: HTMLElement, context: { trace: Trace | null; waitingMessage: string; generation?: Generation | null }): void },
  trace: Trace | null,
  generation: Generation | null | undefined,
  waitingMessage = 'Loading model 43%',
): HTMLElement {
  const root = document.createElement('section');
  document.body.append(root);
  slide.render(root, { trace, waitingMessage, generation });
  return root;
}
