// Renders a slide module into a fresh <section> of the happy-dom document, as the deck would.
import type { SlideModule } from '../../slides/slide';
import type { Trace } from '../../src/trace';

export const WAITING = 'Loading model 43%';

export function renderSlide(slide: SlideModule, trace: Trace | null): HTMLElement {
  const root = document.createElement('section');
  document.body.append(root);
  slide.render(root, { trace, waitingMessage: WAITING });
  return root;
}

/** Every element below the root, for "no element was made from text" checks. */
export function tagNames(root: HTMLElement): Set<string> {
  return new Set(Array.from(root.querySelectorAll('*'), (element) => element.tagName.toLowerCase()));
}
