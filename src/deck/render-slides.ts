// Draws every slide and its speaker notes for a SlideContext. One slide failing to draw is said
// on that slide and in the console; the others, and the deck's navigation, carry on.
import type { SlideContext } from '../../slides/slide';
import type { BuiltSection } from './sections';
import { SLIDES_DRAWN_EVENT } from './slides-drawn-event';

export function renderSlides(sections: readonly BuiltSection[], context: SlideContext, only?: (slide: BuiltSection['slide']) => boolean): void {
  for (const { slide, content, notes } of sections) {
    if (only && !only(slide)) continue;
    try {
      slide.render(content, context);
    } catch (error) {
      console.error(`slide "${slide.id}" failed to render`, error);
      const message = document.createElement('p');
      message.className = 'slide-failed';
      message.textContent = `This slide could not be drawn: ${(error as Error).message}`;
      content.replaceChildren(message);
    }
    try {
      notes.textContent = slide.notes(context); // textContent: the notes quote the prompt
    } catch (error) {
      console.error(`slide "${slide.id}" failed to write its notes`, error);
      notes.textContent = '';
    }
  }
}

export interface SlideRenderer {
  /** Draws `context` on every slide it has changed for; says whether it drew anything. */
  render(context: SlideContext): boolean;
  /** Sections bound after the first render (a markdown deck's): drawn at once with the last context. */
  add(sections: readonly BuiltSection[]): void;
}

/**
 * Renders only what changed (progress events come often): every slide for a new Trace or waiting
 * message, only the generation slides for a new generation step.
 */
export function slideRenderer(initial: readonly BuiltSection[]): SlideRenderer {
  const sections = [...initial];
  let last: SlideContext | null = null;
  return {
    render(context) {
      const sameTrace = last !== null && last.trace === context.trace && last.waitingMessage === context.waitingMessage;
      const sameGeneration = last !== null && last.generation === context.generation;
      if (sameTrace && sameGeneration) return false;
      last = context;
      renderSlides(sections, context, sameTrace ? (slide) => slide.usesGeneration === true : undefined);
      document.dispatchEvent(new Event(SLIDES_DRAWN_EVENT)); // ?print-pdf: print-mode.ts brings the print pages up to date
      if (!sameTrace && context.trace) performance.mark('deck:slides-rendered', { detail: { prompt: context.trace.prompt } }); // npm run bench times to here
      return true;
    },
    add(more) {
      sections.push(...more);
      if (last && more.length > 0) renderSlides(more, last);
    },
  };
}
