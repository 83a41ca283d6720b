// What the conversation controls on the slides ask the deck for: a system message, a follow-up turn,
// a fresh conversation, the sampling settings for the answer. A slide stays a view: it
// dispatches a bubbling DOM event, and the deck (live-llm-plugin.ts) runs it on the engine.
import type { ChatMessage } from '../trace';
import './conversation-requests.css';

export const CONVERSATION_EVENT = 'live-llm:conversation';

export interface AnswerSampling {
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

export type ConversationRequest =
  /** A system message for the next runs ('' for none). */
  | { type: 'system'; system: string }
  /** A second (third…) turn: `history` is the conversation so far, the previous answer included. */
  | { type: 'reply'; message: string; history: ChatMessage[] }
  /** Forget the earlier turns: the current prompt as the first message. */
  | { type: 'restart' }
  /** Sample the answer with these settings, or greedy (null). */
  | { type: 'sampling'; sampling: AnswerSampling | null };

export function sendConversationRequest(from: EventTarget, request: ConversationRequest): void {
  from.dispatchEvent(new CustomEvent<ConversationRequest>(CONVERSATION_EVENT, { bubbles: true, detail: request }));
}

export function onConversationRequest(target: EventTarget, handler: (request: ConversationRequest) => void): void {
  target.addEventListener(CONVERSATION_EVENT, (event) => handler((event as CustomEvent<ConversationRequest>).detail));
}

/**
 * A text field on a slide: keys typed in it never reach Reveal or the E binding (stopPropagation),
 * Enter submits it (Shift+Enter is a new line in a textarea), Esc leaves it.
 */
export function conversationField<T extends HTMLInputElement | HTMLTextAreaElement>(field: T, onSubmit: (value: string) => void): T {
  field.classList.add('conversation-field');
  field.addEventListener('keydown', (keyEvent) => {
    const event = keyEvent as KeyboardEvent;
    event.stopPropagation();
    if (event.isComposing) return;
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      onSubmit(field.value);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      field.blur(); // hand the keys back to Reveal
    }
  });
  field.addEventListener('keyup', (event) => event.stopPropagation());
  field.addEventListener('keypress', (event) => event.stopPropagation());
  return field;
}
