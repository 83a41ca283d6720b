// The answer as the chat slides tell it: its text without the end-of-turn token, why it stopped, its
// speed, and the history a follow-up turn sends (the conversation so far plus this answer).
import { answerText } from '../maths/generation-summary';
import type { ChatInput, ChatMessage, Generation, GenerationStep } from '../trace';

export type AnswerStop = 'generating' | 'eos' | 'limit' | 'context' | 'stopped';

export interface Answer {
  /** The answer's tokens, the end-of-turn token left out. */
  steps: GenerationStep[];
  text: string;
  /** The end-of-turn / EOS token that ended it, when one did. */
  stopToken: GenerationStep | null;
  stop: AnswerStop;
  /** Every generated token, the stop token included. */
  generated: number;
  /** Wall time of all steps (the first includes reading the prompt), in ms. */
  totalMs: number;
  /** Generated tokens per second of that time; null before the first token. */
  tokensPerSecond: number | null;
}

/** The last step ended the turn: the engine said so, or it is one of the stop ids (answerText's rule). */
function isStopStep(generation: Generation, step: GenerationStep | undefined): step is GenerationStep {
  return step !== undefined && (generation.cached.stoppedBy === 'eos' || generation.stopIds.includes(step.id));
}

/** Steps as text, decoded from their joined bytes: a character split across two tokens reads whole. */
export function stepsText(steps: readonly GenerationStep[]): string {
  return answerText({ useCache: true, steps: [...steps], done: true, stoppedBy: null }, []);
}

/** Why the cached run ended: the engine's own word (stoppedBy), else read from the run (an engine that does not say). */
function stopOf(generation: Generation, contextLength: number): AnswerStop {
  const run = generation.cached;
  if (!run.done) return 'generating';
  if (run.stoppedBy) return run.stoppedBy;
  if (run.steps.length > 0 && generation.stopIds.includes(run.steps[run.steps.length - 1].id)) return 'eos';
  if (run.steps.length >= generation.maxNewTokens) return 'limit';
  if (generation.promptIds.length + run.steps.length >= contextLength) return 'context';
  return 'stopped';
}

export function answerOf(generation: Generation, contextLength: number): Answer {
  const all = generation.cached.steps;
  const last = all[all.length - 1];
  const stopToken = isStopStep(generation, last) ? last : null;
  const steps = stopToken ? all.slice(0, -1) : all;
  const totalMs = all.reduce((sum, step) => sum + step.ms, 0);
  return {
    steps,
    text: answerText(generation.cached, generation.stopIds), // the engine's own rule, so the history re-tokenizes to the cached ids
    stopToken,
    stop: stopOf(generation, contextLength),
    generated: all.length,
    totalMs,
    tokensPerSecond: all.length > 0 && totalMs > 0 ? (all.length * 1000) / totalMs : null,
  };
}

/** The messages before the follow-up: the rendered conversation without its system message, and the answer. */
export function followUpHistory(chat: ChatInput, answerText: string): ChatMessage[] {
  return [...chat.messages.filter((message) => message.role !== 'system'), { role: 'assistant', content: answerText }];
}

/** The last steps whose text fits in `maxCharacters`, and how many earlier steps were left out. */
export function lastSteps(steps: readonly GenerationStep[], maxCharacters: number): { shown: GenerationStep[]; hiddenTokens: number } {
  let characters = 0;
  let first = steps.length;
  while (first > 0 && characters + steps[first - 1].text.length <= maxCharacters) characters += steps[--first].text.length;
  if (first === steps.length && first > 0) first--; // one long token is still shown
  return { shown: steps.slice(first), hiddenTokens: first };
}

/** The first `maxCharacters` of a long text, for earlier turns. */
export function headOf(text: string, maxCharacters: number): { shown: string; hiddenCharacters: number } {
  const characters = Array.from(text);
  if (characters.length <= maxCharacters) return { shown: text, hiddenCharacters: 0 };
  return { shown: characters.slice(0, maxCharacters).join(''), hiddenCharacters: characters.length - maxCharacters };
}
