// The answer after a run's Trace, as the worker streams it: token by token with the KV cache, going on from the
// Trace's own pass, then (capped, by steps and by time) without the cache for the KV-cache slide's comparison.
// Greedy unless the request asks for sampling. For a follow-up turn, what reusing the previous answer's cache for the
// shared prefix saves is measured too. Kept apart from the worker (no postMessage, no globals) so Node can test it.
import { GREEDY } from '../maths/sampling';
import type { Generation, GenerationRun } from '../trace';
import { isKnockOutEmpty } from '../trace/knock-out';
import { generateRun, type PromptPass } from './generate';
import type { KvCache } from './kv-cache';
import type { LoadedModel } from './load-model';
import { measurePrefixReuse } from './prefix-reuse';
import type { RunRequest } from './protocol';
import { promptLens } from './prompt-lens';

/** The answer's default token limit: a chat model's answer runs to its end-of-turn id, a base model's is a glimpse. */
export const CHAT_ANSWER_TOKENS = 128;
export const BASE_ANSWER_TOKENS = 24;
/** The without-cache comparison recomputes every position at every step: a short run says enough. */
export const UNCACHED_STEPS = 16;
/**
 * Each of those steps is a whole pass (a second or more for a 1B model), which an edit made meanwhile waits for: the
 * run is kept to about this much work, estimated from the prompt's own pass, and never fewer than UNCACHED_MIN_STEPS steps.
 */
export const UNCACHED_BUDGET_MS = 2000;
export const UNCACHED_MIN_STEPS = 3;

/** How many steps the without-cache run takes, given one whole pass over the prompt (null: not known). */
export function uncachedSteps(passMs: number | null, maxNewTokens: number): number {
  const affordable = passMs === null || passMs <= 0 ? UNCACHED_STEPS : Math.floor(UNCACHED_BUDGET_MS / passMs);
  return Math.min(maxNewTokens, Math.max(UNCACHED_MIN_STEPS, Math.min(UNCACHED_STEPS, affordable)));
}

/** What lives from one run to the next: the last answer's KV cache (its prompt and answer ids). */
export interface AnswerSession {
  previousTurn: KvCache | null;
}

export interface AnswerInput {
  /** The request's answer settings and conversation (history says whether this is a follow-up). */
  request: Pick<RunRequest, 'maxNewTokens' | 'sampling' | 'history' | 'knockOut'>;
  /** The Trace's prompt and ids (the templated ids, after any left cut). */
  prompt: string;
  promptIds: number[];
  chatModel: boolean;
  /**
   * The Trace left the logit lens to the answer (trace.extras.logitLensFromAnswer): computed as soon as a slide that
   * shows it is on screen (by the first step, or a pass of its own before a later one), else once the answer is done.
   */
  lensFromAnswer?: boolean;
  /** The Trace's pass (its cache and last logits): the answer continues from it instead of reading the prompt again. */
  promptPass?: PromptPass;
}

export interface AnswerCallbacks {
  /** The whole Generation so far, after each change. */
  publish: (generation: Generation) => void;
  /** A newer prompt makes this answer moot. */
  superseded: () => boolean;
  /** A slide that shows the logit lens is on screen now. Absent: the lens is computed at once. */
  lensOnScreen?: () => boolean;
}

/** Streams the answer through `publish` (the whole Generation so far, after each change); a superseded run stops quietly. */
export async function streamAnswer(
  loaded: LoadedModel,
  input: AnswerInput,
  session: AnswerSession,
  callbacks: AnswerCallbacks,
): Promise<void> {
  const { request, promptIds } = input;
  const maxNewTokens = request.maxNewTokens ?? (input.chatModel ? CHAT_ANSWER_TOKENS : BASE_ANSWER_TOKENS);
  const chosen = request.sampling ?? { ...GREEDY, seed: 0 };
  const sampling = { temperature: chosen.temperature, topK: chosen.topK, topP: chosen.topP };
  let uncachedLimit = uncachedSteps(input.promptPass?.ms ?? null, maxNewTokens);
  let generation: Generation = {
    prompt: input.prompt,
    promptIds,
    stopIds: loaded.stopIds,
    sampling,
    seed: chosen.seed,
    maxNewTokens,
    cached: { useCache: true, steps: [], done: false, stoppedBy: null },
    uncached: null,
    uncachedLimit,
    prefixReuse: null,
  };
  const publish = (change: Partial<Generation>) => {
    generation = { ...generation, ...change };
    callbacks.publish(generation);
  };

  // A follow-up: the previous turn's cache holds the prefix this input shares with it; what reusing it saves is
  // measured (the KV-cache slide shows it). With the Trace's pass the answer needs no prefill at all, so that is
  // measured once the answer is done, and nothing waits for it; without one, first, and the answer starts from it.
  // A cache holds the keys and values of the model that made it: a knock-out's is neither reused nor kept.
  const plainModel = isKnockOutEmpty(request.knockOut);
  const previous = plainModel && request.history?.length ? session.previousTurn : null;
  let startCache: KvCache | undefined;
  if (previous && !input.promptPass) {
    const measured = await measurePrefixReuse(loaded, promptIds, previous);
    startCache = measured.startCache ?? undefined;
    if (callbacks.superseded()) return;
    publish({ prefixReuse: measured.reuse });
  }

  let prefillMs: number | null = null; // the answer's first step read the whole prompt (or is the Trace's pass)
  for (const useCache of [true, false]) {
    if (!useCache && prefillMs !== null && uncachedSteps(prefillMs, maxNewTokens) !== uncachedLimit) {
      uncachedLimit = uncachedSteps(prefillMs, maxNewTokens);
      publish({ uncachedLimit });
    }
    let run: GenerationRun = { useCache, steps: [], done: false, stoppedBy: null };
    const result = await generateRun(loaded, promptIds, {
      maxNewTokens: useCache ? maxNewTokens : uncachedLimit,
      sampling,
      seed: chosen.seed,
      useCache,
      promptPass: useCache ? input.promptPass : undefined, // the Trace's pass read the whole prompt: the answer goes on from it
      startCache: useCache ? startCache : undefined,
      keepCache: useCache,
      shouldStop: callbacks.superseded,
      knockOut: request.knockOut,
      // The lens waits for the answer unless its slide is on screen: no slide on screen waits for it.
      onLens: useCache && input.lensFromAnswer ? (rows) => publish({ logitLens: rows }) : undefined,
      lensWanted: callbacks.lensOnScreen,
      onStep: (step) => {
        if (useCache && run.steps.length === 0 && !startCache) prefillMs = step.ms;
        run = { ...run, steps: [...run.steps, step] };
        publish(useCache ? { cached: run } : { uncached: run });
      },
    });
    if (result.cache) session.previousTurn = plainModel ? result.cache : null;
    if (callbacks.superseded()) return;
    if (useCache && input.lensFromAnswer && !generation.logitLens) {
      // Not wanted during the answer, or no step ran: one step against the answer's cache, or a pass of its own.
      const rows = await promptLens(loaded, promptIds, request.knockOut, result.cache);
      if (callbacks.superseded()) return;
      if (rows) publish({ logitLens: rows });
    }
    if (useCache && previous && input.promptPass) {
      const measured = await measurePrefixReuse(loaded, promptIds, previous);
      if (callbacks.superseded()) return;
      publish({ prefixReuse: measured.reuse });
    }
    run = { ...run, done: true, stoppedBy: result.stoppedBy };
    publish(useCache ? { cached: run } : { uncached: run });
  }
}
