// The speaker view's previews and the presenter's window share one model. Reveal's notes plugin
// loads the deck twice more (`?receiver&...`) in the speaker window's iframes; those pages start no
// engine and draw what the presenter's window sends them over a BroadcastChannel: the Trace and the
// slides' views (layer, head, token, sliders), so a preview shows what the audience sees. Prompts typed in
// a preview or in the speaker view go back the same way, and the presenter's window runs them.
// The channel is named after the deck's path, its model and the presenter window's session, so two
// decks, or two windows of one deck, never mix their Traces.
import type { Generation, Trace } from '../trace';
import { randomId } from './random-id';
import type { ViewChoices } from './view-store';

export const DECK_CHANNEL_PREFIX = 'live-llm-deck';

/** From the window that runs the model: the slides' whole input (a new Trace or waiting message, or an answer to hello). */
export interface ContextMessage {
  type: 'context';
  /** The prompt as typed in the presenter's window. */
  prompt: string;
  trace: Trace | null;
  waitingMessage: string;
  generation: Generation | null;
  /** The slides' views, as far as they differ from their defaults. */
  views: ViewChoices;
  /** The backend and why it was chosen ("WASM: WebGPU's adapter is a software fallback…"), for the speaker view only. */
  backend?: string | null;
}

/** From the window that runs the model: the presenter changed a view (every view sent: they are small). */
export interface ViewsMessage {
  type: 'views';
  views: ViewChoices;
}

/** From the window that runs the model: the generation moved on, for the Trace sent last (not sent again). */
export interface GenerationStepMessage {
  type: 'generation';
  generation: Generation | null;
}

/** From a preview that has just opened: asks for the current ContextMessage. */
export interface HelloMessage {
  type: 'hello';
  /** The preview's own id (open-previews.ts). */
  preview: string;
}

/** From a preview whose page goes (the speaker view closed): nothing more need be sent to it. */
export interface ByeMessage {
  type: 'bye';
  preview: string;
}

/** From a preview or the speaker view: a prompt typed there, for the window that runs the model. */
export interface PromptMessage {
  type: 'prompt';
  prompt: string;
  /** Enter: run at once; typing: after the usual pause. */
  immediate: boolean;
}

export type DeckMessage = ContextMessage | ViewsMessage | GenerationStepMessage | HelloMessage | ByeMessage | PromptMessage;

/**
 * A deck page loaded by Reveal's notes plugin as a speaker-view preview: the plugin adds
 * `receiver` to the search (`?receiver&progress=false&...&postMessageEvents=true#/3/0`).
 */
export function isSpeakerPreview(search: string): boolean {
  return new URLSearchParams(search).has('receiver');
}

/**
 * The channel of one presenter window's deck. `session` is that window's own id, so two windows of
 * the same deck (a backup tab) never answer each other's speaker view.
 */
export function deckChannelName(pathname: string, modelName: string, session: string | null = null): string {
  return `${DECK_CHANNEL_PREFIX}:${pathname}:${modelName}${session === null ? '' : `:${session}`}`;
}

/** The presenter window's session id, kept on its <html> element where its previews can read it. */
const SESSION_ATTRIBUTE = 'liveDeckSession';

/** Called by the window that runs the model: makes its session id and shows it to its previews. */
export function startPresenterSession(): string {
  const session = randomId();
  document.documentElement.dataset[SESSION_ATTRIBUTE] = session;
  return session;
}

/**
 * Called by a preview: its presenter window's session. A preview's parent is the speaker view, and the
 * speaker view's opener is the presenter window that opened it (same origin). Null when out of reach.
 */
export function findPresenterSession(preview: Window): string | null {
  try {
    const presenter = preview.parent?.opener as Window | null | undefined;
    return presenter?.document.documentElement.dataset[SESSION_ATTRIBUTE] ?? null;
  } catch {
    return null; // another origin, or a closed window
  }
}

/** A typed BroadcastChannel (structured clone: a Trace's Float32Arrays cross it as they are). */
export class DeckChannel {
  readonly #channel: BroadcastChannel;

  constructor(name: string) {
    this.#channel = new BroadcastChannel(name);
  }

  post(message: DeckMessage): void {
    this.#channel.postMessage(message);
  }

  /** Every message of the other pages on this channel (never this page's own). */
  onMessage(listener: (message: DeckMessage) => void): void {
    this.#channel.addEventListener('message', (event: MessageEvent<DeckMessage>) => listener(event.data));
  }

  close(): void {
    this.#channel.close();
  }
}
