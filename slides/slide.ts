// What every slide module exports. A slide is a pure view: Trace + its own view state -> DOM.
// It never calls the model; the deck calls render() again whenever a new Trace arrives.
import type { Generation, Trace } from '../src/trace';

export interface SlideContext {
  /** The latest Trace, or null while the model loads, when the prompt is empty, or after an error. */
  trace: Trace | null;
  /** Why there is no Trace, in words for the audience ("Type a prompt to begin", "Loading model 43%"). */
  waitingMessage: string;
  /**
   * The continuation of the Trace's prompt, streamed token by token after the Trace arrives
   * (greedy, with and then without the KV cache). Undefined or null until it starts.
   */
  generation?: Generation | null;
}

export interface SlideModule {
  /** Stable id, used in URLs, data-live="..." attributes and tests: "tokenization". */
  id: string;
  title: string;
  /** Redrawn on every streamed generation step (the others only when the Trace changes). */
  usesGeneration?: boolean;
  /**
   * Draws the slide into `root` (the Reveal <section>'s content element), replacing what was there.
   * Must not throw for any Trace the engine can produce: a value it cannot show is said on the slide.
   */
  render(root: HTMLElement, context: SlideContext): void;
  /** Speaker notes, plain text, quoting the live values of this Trace. */
  notes(context: SlideContext): string;
}
