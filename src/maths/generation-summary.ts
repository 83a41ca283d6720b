// Facts about a Generation that several slides state: why it stopped, how fast each run was,
// and whether the cached and uncached runs chose the same tokens.
import { utf8Bytes } from '../tokenize/byte-level';
import type { Generation, GenerationRun } from '../trace';

/** The GPT-2 family's end-of-text token, as the tokenizer decodes it (special tokens kept). */
export const END_OF_TEXT = '<|endoftext|>';

export type StopReason = 'generating' | 'end-of-text' | 'step-limit' | 'context-limit' | 'stopped';

export function isEndOfText(text: string): boolean {
  return text === END_OF_TEXT;
}

/** Why a run ended: the engine's stoppedBy, else read from the run itself (its last token, its length, the context window). */
export function stopReason(generation: Generation, run: GenerationRun, contextLength: number): StopReason {
  if (!run.done) return 'generating';
  const last = run.steps[run.steps.length - 1];
  if (run.stoppedBy === 'eos' || (last && (generation.stopIds.includes(last.id) || isEndOfText(last.text)))) return 'end-of-text';
  if (run.stoppedBy === 'context') return 'context-limit';
  if (run.steps.length >= (run.useCache ? generation.maxNewTokens : generation.uncachedLimit)) return 'step-limit';
  if (generation.promptIds.length + run.steps.length >= contextLength) return 'context-limit';
  return 'stopped';
}

/** Mean wall time per step in ms, or null for a run with no steps yet. */
export function meanStepMs(run: GenerationRun): number | null {
  if (run.steps.length === 0) return null;
  let total = 0;
  for (const step of run.steps) total += step.ms;
  return total / run.steps.length;
}

export type RunComparison =
  /** Both runs have `compared` steps and they agree (the shorter run may still be streaming). */
  | { kind: 'same'; compared: number; sameLength: boolean }
  /** The first step (0-based) where the runs chose different tokens. */
  | { kind: 'different'; step: number; cachedId: number; uncachedId: number; cachedText: string; uncachedText: string };

export function compareRuns(cached: GenerationRun, uncached: GenerationRun): RunComparison {
  const compared = Math.min(cached.steps.length, uncached.steps.length);
  for (let step = 0; step < compared; step++) {
    const a = cached.steps[step];
    const b = uncached.steps[step];
    if (a.id !== b.id) return { kind: 'different', step, cachedId: a.id, uncachedId: b.id, cachedText: a.text, uncachedText: b.text };
  }
  return { kind: 'same', compared, sameLength: cached.steps.length === uncached.steps.length };
}

/**
 * The answer as text, for the conversation's history: decoded from the steps' joined bytes (a character
 * may span tokens), without the stop token that ended it (the template writes its own end-of-turn).
 */
export function answerText(run: GenerationRun, stopIds: readonly number[]): string {
  let steps = run.steps;
  const last = steps[steps.length - 1];
  if (last && (run.stoppedBy === 'eos' || stopIds.includes(last.id))) steps = steps.slice(0, -1);
  const bytes = steps.flatMap((step) => step.bytes ?? Array.from(utf8Bytes(step.text)));
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}
