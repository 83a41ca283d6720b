// Draws every slide and its speaker notes for a DeckContext and each slide's view. One slide failing
// to draw is said on that slide and in the console; the others, and the deck's navigation, carry on.
import { viewIdOf, type DeckContext, type SlideContext, type SlideModule } from '../../slides/slide';
import type { BuiltSection } from './sections';
import { SLIDES_DRAWN_EVENT } from './slides-drawn-event';
import { markLatest } from './timing-marks';
import { rerenderKeepingFragments } from '../viz/fragment-state';
import type { ViewStore } from './view-store';

/** What `slide` is drawn from: the deck's context, its view from `views`, and a setView that goes to `views`. */
export function slideContextFor(slide: SlideModule, context: DeckContext, views: ViewStore): SlideContext {
  return { ...context, view: views.viewOf(slide), setView: (patch) => views.set(viewIdOf(slide), patch) };
}

export interface RenderOptions {
  /** Draws only these slides. */
  only?: (slide: BuiltSection['slide']) => boolean;
  /** The fragments Reveal has shown stay shown (a view change on the slide the audience is looking at). */
  keepFragments?: boolean;
}

export function renderSlides(sections: readonly BuiltSection[], context: DeckContext, views: ViewStore, { only, keepFragments = false }: RenderOptions = {}): void {
  for (const { slide, content, notes } of sections) {
    if (only && !only(slide)) continue;
    const own = slideContextFor(slide, context, views);
    try {
      if (keepFragments) rerenderKeepingFragments(content, () => slide.render(content, own));
      else slide.render(content, own);
    } catch (error) {
      console.error(`slide "${slide.id}" failed to render`, error);
      const message = document.createElement('p');
      message.className = 'slide-failed';
      message.textContent = `This slide could not be drawn: ${(error as Error).message}`;
      content.replaceChildren(message);
    }
    try {
      notes.textContent = slide.notes(own); // textContent: the notes quote the prompt
    } catch (error) {
      console.error(`slide "${slide.id}" failed to write its notes`, error);
      notes.textContent = '';
    }
  }
}

export interface SlideRenderer {
  /** Draws `context` on every slide it has changed for (the slide on screen first, see LazyDrawing); says whether it drew anything. */
  render(context: DeckContext): boolean;
  /** Redraws the slides (and notes) that show these views, with the last context. */
  renderViews(viewIds: readonly string[]): void;
  /** Sections bound after the first render (a markdown deck's): drawn at once with the last context. */
  add(sections: readonly BuiltSection[]): void;
  /** The presenter reached `section` (Reveal's slidechanged): drawn now if it still shows an older context. */
  reached(section: Element | undefined): void;
  /**
   * A newer prompt is running (true) or not: while it runs, idle time draws no slide with the older context (its
   * Trace redraws them all), so the page is free when that Trace arrives. A reached slide is still drawn.
   */
  holdIdleDrawing(held: boolean): void;
}

/** The deadline requestIdleCallback gives: how long the browser can spare now. */
export interface IdleDeadlineLike {
  timeRemaining(): number;
  didTimeout: boolean;
}

/**
 * Drawing what is seen first: on a new Trace only the slide on screen is drawn at once; the others are marked
 * (data-live-stale) and drawn when the browser is idle or when they are reached. Print mode draws all at once (null).
 */
export interface LazyDrawing {
  /** Whether the section is on screen now (Reveal's current slide). */
  isOnScreen(section: HTMLElement): boolean;
  /** Computes the page's style and layout at once (after the slide on screen is drawn); default: nothing. */
  layOutNow?: () => void;
  /** Calls back when the browser is idle; default: requestIdleCallback with a timeout, or a timer where there is none. */
  whenIdle?: (callback: (deadline: IdleDeadlineLike) => void) => void;
}

/** Waiting at most this long for an idle moment: a busy page still gets its slides. */
export const IDLE_TIMEOUT_MS = 300;
/** A section drawn for an older context than the last: the waits (src/browser/deck-waits.ts) wait until none is left. */
export const STALE_ATTRIBUTE = 'data-live-stale';

/**
 * Calls back once the next frame (its style, layout and paint) has been made: a task queued from that frame's
 * requestAnimationFrame callback runs after the frame's rendering. Where there are no frames, after a timer.
 */
export function afterNextPaint(callback: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(callback, 0));
  else setTimeout(callback, 0);
}

/** How long afterNextFrameOrSoon waits for a frame: a frame is ~17 ms, a heavy one on a loaded machine ~100 ms. */
export const FRAME_WAIT_MS = 250;

/**
 * afterNextPaint, for work that must not wait for ever: a hidden page (a minimised window, or one the speaker view
 * covers) makes no frames, so it calls back at once when hidden, and after FRAME_WAIT_MS if no frame has come.
 */
export function afterNextFrameOrSoon(callback: () => void): void {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    callback();
  };
  afterNextPaint(once);
  setTimeout(once, typeof document !== 'undefined' && document.hidden ? 0 : FRAME_WAIT_MS);
}

function browserIdle(callback: (deadline: IdleDeadlineLike) => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(callback, { timeout: IDLE_TIMEOUT_MS });
  else setTimeout(() => callback({ timeRemaining: () => 0, didTimeout: true }), 16);
}

/**
 * Renders only what changed (progress events come often): every slide for a new Trace or waiting
 * message, only the generation slides for a new generation step (and the lens's when the answer brings
 * it), only a view's slides when it changes.
 * With `lazy`, slides off screen are drawn later (see LazyDrawing); the slides-drawn event and the bench's
 * deck:slides-rendered mark come once every slide shows the last context.
 */
export function slideRenderer(initial: readonly BuiltSection[], views: ViewStore, lazy: LazyDrawing | null = null): SlideRenderer {
  const sections = [...initial];
  let last: DeckContext | null = null;
  const stale = new Set<BuiltSection>();
  let idleScheduled = false;
  let idleHeld = false;
  let traceToMark: string | null = null; // the prompt whose all-slides mark is due once nothing is stale
  let answerMarkedFor: DeckContext['trace'] = null; // the Trace whose answer's first token has been marked
  const whenIdle = lazy?.whenIdle ?? browserIdle;

  const draw = (list: readonly BuiltSection[], options: RenderOptions = {}) => {
    renderSlides(list, last!, views, options);
    for (const built of list) {
      stale.delete(built);
      built.section.removeAttribute(STALE_ATTRIBUTE);
    }
  };
  const markStale = (list: readonly BuiltSection[]) => {
    for (const built of list) {
      stale.add(built);
      built.section.setAttribute(STALE_ATTRIBUTE, '');
    }
  };
  // ?print-pdf: print-mode.ts brings the print pages up to date; the tests and the handout wait for every slide.
  const finishedIfAllDrawn = () => {
    if (stale.size > 0) return;
    document.dispatchEvent(new Event(SLIDES_DRAWN_EVENT));
    if (traceToMark !== null) markLatest('deck:slides-rendered', { prompt: traceToMark }); // npm run bench times to here
    traceToMark = null;
  };
  const drawWhenIdle = () => {
    if (idleScheduled || idleHeld || stale.size === 0) return;
    idleScheduled = true;
    whenIdle((deadline) => {
      idleScheduled = false;
      if (idleHeld) return; // held since it was asked for: holdIdleDrawing(false) asks again
      // In deck order, at least one per idle period, as many as the period has room for.
      for (const built of sections.filter((candidate) => stale.has(candidate))) {
        draw([built]);
        if (deadline.timeRemaining() <= 0) break;
      }
      if (stale.size > 0) drawWhenIdle();
      else finishedIfAllDrawn();
    });
  };
  /** Draws `wanted` now where on screen (all of them without lazy), the rest when idle. */
  const drawOnScreenFirst = (wanted: readonly BuiltSection[], options: RenderOptions = {}) => {
    const now = lazy ? wanted.filter((built) => lazy.isOnScreen(built.section)) : wanted;
    draw(now, options);
    markStale(wanted.filter((built) => !now.includes(built)));
    drawWhenIdle();
  };

  return {
    render(context) {
      const sameTrace = last !== null && last.trace === context.trace && last.waitingMessage === context.waitingMessage;
      const sameGeneration = last !== null && last.generation === context.generation;
      if (sameTrace && sameGeneration) return false;
      const lensArrived = (last?.generation?.logitLens ?? null) !== (context.generation?.logitLens ?? null);
      last = context;
      const wanted = sameTrace ? sections.filter(({ slide }) => slide.usesGeneration === true || (lensArrived && slide.usesGenerationLens === true)) : sections;
      const newTrace = !sameTrace && context.trace ? context.trace.prompt : null;
      if (newTrace !== null) {
        traceToMark = newTrace;
        // npm run bench: the Trace is in the page, drawing starts (and how long the run took in the worker)
        markLatest('deck:trace-received', { prompt: newTrace, runTraceMs: context.trace!.timings?.totalMs ?? null });
      }
      // A waiting message is cheap and has no Trace to show: every slide says it at once.
      if (context.trace) drawOnScreenFirst(wanted);
      else draw(wanted);
      const steps = context.generation?.cached.steps.length ?? 0;
      if (context.trace && answerMarkedFor !== context.trace && steps > 0 && context.generation!.prompt === context.trace.prompt) {
        answerMarkedFor = context.trace;
        markLatest('deck:first-answer-token', { prompt: context.trace.prompt }); // npm run bench: the answer has begun
      }
      if (newTrace !== null) {
        // Style and layout of the slide on screen now, while the browser waits for the next frame anyway: that frame
        // then only paints (one forced layout per Trace, the slides off screen are not drawn yet).
        if (lazy) lazy.layOutNow?.();
        markLatest('deck:visible-slide-rendered', { prompt: newTrace }); // the slide on screen: its DOM built and laid out
        afterNextPaint(() => markLatest('deck:visible-slide-painted', { prompt: newTrace })); // npm run bench times to here
      }
      finishedIfAllDrawn();
      return true;
    },
    renderViews(viewIds) {
      if (!last) return;
      draw(sections.filter(({ slide }) => viewIds.includes(viewIdOf(slide))), { keepFragments: true });
      finishedIfAllDrawn();
    },
    add(more) {
      sections.push(...more);
      if (last && more.length > 0) draw(more);
    },
    holdIdleDrawing(held) {
      idleHeld = held;
      if (!held) drawWhenIdle();
    },
    reached(section) {
      const built = sections.find((candidate) => candidate.section === section);
      if (!built || !stale.has(built) || !last) return;
      draw([built]);
      finishedIfAllDrawn();
    },
  };
}
