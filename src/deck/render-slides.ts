// Draws every slide and its speaker notes for a SlideContext. One slide failing to draw is said
// on that slide and in the console; the others, and the deck's navigation, carry on.
import type { SlideContext } from '../../slides/slide';
import type { BuiltSection } from './sections';

export function renderSlides(sections: readonly BuiltSection[], context: SlideContext): void {
  for (const { slide, content, notes } of sections) {
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

/** Renders only when the Trace or the waiting message changed (progress events come often); says whether it did. */
export function slideRenderer(sections: readonly BuiltSection[]): (context: SlideContext) => boolean {
  let last: SlideContext | null = null;
  return (context) => {
    if (last && last.trace === context.trace && last.waitingMessage === context.waitingMessage) return false;
    last = context;
    renderSlides(sections, context);
    return true;
  };
}
