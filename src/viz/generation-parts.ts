// Pieces the generation, KV-cache and detokenization slides share: which Generation belongs to the
// shown Trace, the "generating…" mark, and why a run stopped, in words.
import type { StopReason } from '../maths/generation-summary';
import type { Generation, Trace } from '../trace';
import { html } from './dom';
import { formatCount, plural } from './format';
import './generation-parts.css';

/** The context's Generation when it continues the shown Trace's prompt; a stale one (an earlier prompt) is not shown. */
export function currentGeneration(trace: Trace | null, generation: Generation | null | undefined): Generation | null {
  if (!generation || !trace || generation.prompt !== trace.prompt) return null;
  return generation;
}

export function generatingMark(): HTMLSpanElement {
  return html('span', { className: 'generation-streaming', text: 'generating…', attrs: { 'aria-live': 'polite' } });
}

/** Shown until the first generated token arrives. */
export function notStartedMessage(): HTMLParagraphElement {
  return html('p', {
    className: 'live-notice generation-not-started',
    text: 'Generation starts after the prompt’s forward pass: the continuation appears here token by token.',
  });
}

export function samplingDescription(generation: Generation): string {
  const { temperature, topK, topP } = generation.sampling;
  if (temperature === 0) return 'greedy: each step takes the likeliest token';
  return `sampled: temperature ${temperature}, top-k ${topK === 0 ? 'off' : topK}, top-p ${topP}, seed ${generation.seed}`;
}

export function stopSentence(reason: StopReason, generation: Generation, steps: number, contextLength: number): string {
  switch (reason) {
    case 'generating':
      return `Generating… ${formatCount(steps)} of at most ${plural(generation.maxNewTokens, 'token')} so far.`;
    case 'end-of-text': {
      const last = generation.cached.steps[steps - 1];
      // A chat model's end-of-turn token (<|im_end|>, <|eot_id|>) is named with its id; GPT-2's keeps its usual name.
      if (last && generation.stopIds.includes(last.id) && last.text !== '<|endoftext|>') return `Stopped: the model chose ${last.text} (id ${last.id}), an end-of-turn token, after ${plural(steps, 'token')}.`;
      return `Stopped: the model chose the end-of-text token after ${plural(steps, 'token')}.`;
    }
    case 'step-limit':
      return `Stopped at the step limit: ${plural(generation.maxNewTokens, 'new token')}.`;
    case 'context-limit':
      return `Stopped at the context limit: ${plural(contextLength, 'token')} fill the window.`;
    default:
      return `Stopped after ${plural(steps, 'token')}, before the end-of-text token or the step limit.`;
  }
}
