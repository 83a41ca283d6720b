// Draws every slide and its speaker notes for a DeckContext and each slide's view. One slide failing
// to draw is said on that slide and in the console; the others, and the deck's navigation, carry on.
import { viewIdOf, type DeckContext, type SlideContext, type SlideModule } from '../../slides/slide';
import type { BuiltSection } from './sections';
import { SLIDES_DRAWN_EVENT } from './slides-drawn-event';
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
  /** Draws `context` on every slide it has changed for; says whether it drew anything. */
  render(context: DeckContext): boolean;
  /** Redraws the slides (and notes) that show these views, with the last context. */
  renderViews(viewIds: readonly string[]): void;
  /** Sections bound after the first render (a markdown deck's): drawn at once with the last context. */
  add(sections: readonly BuiltSection[]): void;
}

/**
 * Renders only what changed (progress events come often): every slide for a new Trace or waiting
 * message, only the generation slides for a new generation step, only a view's slides when it changes.
 */
export function slideRenderer(initial: readonly BuiltSection[], views: ViewStore): SlideRenderer {
  const sections = [...initial];
  let last: DeckContext | null = null;
  const drawn = () => document.dispatchEvent(new Event(SLIDES_DRAWN_EVENT)); // ?print-pdf: print-mode.ts brings the print pages up to date
  return {
    render(context) {
      const sameTrace = last !== null && last.trace === context.trace && last.waitingMessage === context.waitingMessage;
      const sameGeneration = last !== null && last.generation === context.generation;
      if (sameTrace && sameGeneration) return false;
      last = context;
      renderSlides(sections, context, views, { only: sameTrace ? (slide) => slide.usesGeneration === true : undefined });
      drawn();
      if (!sameTrace && context.trace) performance.mark('deck:slides-rendered', { detail: { prompt: context.trace.prompt } }); // npm run bench times to here
      return true;
    },
    renderViews(viewIds) {
      if (!last) return;
      renderSlides(sections, last, views, { only: (slide) => viewIds.includes(viewIdOf(slide)), keepFragments: true });
      drawn();
    },
    add(more) {
      sections.push(...more);
      if (last && more.length > 0) renderSlides(more, last, views);
    },
  };
}
