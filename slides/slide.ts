// What every slide module exports. A slide is a pure view: Trace + its view state -> DOM.
// It never calls the model and keeps no state of its own: the deck owns each slide's view
// (src/deck/view-store.ts), calls render() again whenever a new Trace arrives or the view changes,
// mirrors the view into the URL and sends it to the speaker view's previews.
import type { Generation, Trace } from '../src/trace';

/** What the deck gives every slide: the Trace, or in words why there is none. */
export interface DeckContext {
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

/** A value a view may hold: plain, so a view crosses a BroadcastChannel and fits in a URL. */
export type ViewValue = number | string | boolean | null;

/** What one slide is drawn from: the deck's context plus this slide's view. */
export interface SlideContext<View extends object = object> extends DeckContext {
  /** This slide's view: its defaultView with the presenter's choices over it. May hold values out of range: clamp to the Trace. */
  view: Readonly<View>;
  /** Asks the deck to change the view; the deck redraws the slide and its notes (not at once inside render). */
  setView(patch: Partial<View>): void;
}

/**
 * What a slide module exports. `View` is a plain object of ViewValues (the chosen layer, head,
 * token, slider settings). A token chosen for one prompt is held as `token` with the prompt in
 * `tokenPrompt` (any `<key>` + `<key>Prompt` pair): a new prompt goes back to the default, and the URL
 * writes the pair as `token=5` for the prompt in `?prompt=`.
 */
export interface SlideModule<View extends object = object> {
  /** Stable id, used in URLs, data-live="..." attributes and tests: "tokenization". */
  id: string;
  title: string;
  /** Redrawn on every streamed generation step (the others only when the Trace changes). */
  usesGeneration?: boolean;
  /** Redrawn when the answer brings the logit lens (Generation.logitLens), not on the other steps. */
  usesGenerationLens?: boolean;
  /** The view when the presenter has chosen nothing; absent for a slide with no choices. */
  defaultView?: View;
  /**
   * Slides naming the same view share it (default: the slide's id): the multi-head slide's
   * overview picks the attention slide's layer and head; the last slide answers with the sampling slide's settings.
   */
  viewId?: string;
  /**
   * Draws the slide into `root` (the Reveal <section>'s content element), replacing what was there.
   * Must not throw for any Trace the engine can produce: a value it cannot show is said on the slide.
   */
  render(root: HTMLElement, context: SlideContext<View>): void;
  /** Speaker notes, plain text, quoting the live values of this Trace and view. */
  notes(context: SlideContext<View>): string;
}

/** The view a slide shows: its own, or the one it shares. */
export function viewIdOf(slide: Pick<SlideModule, 'id' | 'viewId'>): string {
  return slide.viewId ?? slide.id;
}
