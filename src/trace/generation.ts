// The continuation of a prompt, generated token by token after its Trace (what the generation, KV-cache and chat slides show).
import type { LogitLensRow } from './types';

/** One token of an autoregressive generation. */
export interface GenerationStep {
  id: number;
  text: string;
  /** The UTF-8 bytes the token stands for (a token may hold part of a character). */
  bytes?: number[];
  /** The chosen token's probability under the model (before sampling settings). */
  prob: number;
  /** The five likeliest candidates at this step. */
  top5: { id: number; text: string; prob: number }[];
  /** Wall time of this step's forward pass and choice. */
  ms: number;
  /** This step also computed the logit lens (the answer's first, when the Trace left the lens to it): its ms include that. */
  withLogitLens?: boolean;
  /**
   * The answer's first token came from the prompt's own pass, the one the Trace was read from (its logits, and its keys
   * and values as the cache's first rows): no call of its own; ms is that pass's time, trace outputs included.
   */
  fromPromptPass?: boolean;
}

export interface GenerationRun {
  useCache: boolean;
  steps: GenerationStep[];
  /** False while tokens are still streaming in. */
  done: boolean;
  /** Why it ended: an end-of-turn/EOS id, the token limit, the context window; null while streaming or when superseded. */
  stoppedBy: 'eos' | 'limit' | 'context' | null;
}

/** A follow-up turn: how much of its input the previous turn's KV cache already held. */
export interface PrefixReuse {
  /** Tokens of this turn's input found, in order, at the start of the previous turn's cached ids. */
  cachedTokens: number;
  /** All tokens of this turn's input. */
  inputTokens: number;
  /** Prefill (the first step) reusing the cache: only inputTokens - cachedTokens positions computed. */
  reusedPrefillMs: number;
  /** The same prefill recomputing every position, measured in the same run. */
  fullPrefillMs: number;
  /** The first token chosen from the reused cache equals the one from the full recomputation. */
  sameFirstToken: boolean;
}

/** The continuation of the current prompt, generated token by token after its Trace. */
export interface Generation {
  prompt: string;
  promptIds: number[];
  /** The ids that end a turn (generation_config.json's eos_token_id, which may list several). */
  stopIds: number[];
  sampling: { temperature: number; topK: number; topP: number };
  seed: number;
  maxNewTokens: number;
  /** Generated with the KV cache: each step feeds only the newest token. */
  cached: GenerationRun;
  /** The same generation recomputing every position at every step (for the KV-cache slide; capped at
   * `uncachedLimit` steps so a long answer is not generated twice); null until it starts. */
  uncached: GenerationRun | null;
  uncachedLimit: number;
  /** For a follow-up turn: the previous turn's cache reused for the shared prefix; null for a first turn. */
  prefixReuse: PrefixReuse | null;
  /**
   * The logit lens at the prompt's last position when the Trace left it to the answer (trace.extras.logitLensFromAnswer):
   * computed after the answer, or before its next token once the lens's slide is on screen (src/engine/answer-stream.ts).
   * Absent or null until then.
   */
  logitLens?: LogitLensRow[] | null;
}
