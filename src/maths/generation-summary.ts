// Facts about a Generation that several slides state: why it stopped, how fast each run was,
// and whether the cached and uncached runs chose the same tokens.
import type { Generation, GenerationRun } from '../trace';

/** The GPT-2 family's end-of-text token, as the tokenizer decodes it (special tokens kept). */
export const END_OF_TEXT = '<|endoftext|>';

export type StopReason = 'generating' | 'end-of-text' | 'step-limit' | 'context-limit' | 'stopped';

export function isEndOfText(text: string): boolean {
  return text === END_OF_TEXT;
}

/** Why a run ended, read from the run itself: its last token, its length and the context window. */
export function stopReason(generation: Generation, run: GenerationRun, contextLength: number): StopReason {
  if (!run.done) return 'generating';
  const last = run.steps[run.steps.length - 1];
  if (last && isEndOfText(last.text)) return 'end-of-text';
  if (run.steps.length >= generation.maxNewTokens) return 'step-limit';
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
