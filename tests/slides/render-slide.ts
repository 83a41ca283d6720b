// Renders a slide module into a fresh <section> of the happy-dom document, as the deck would: with
// its view from a view store (one for the test file, as the deck has one), redrawn when the view changes.
import { deckSlides } from '../../slides/index';
import { viewIdOf, type DeckContext, type SlideModule } from '../../slides/slide';
import { slideContextFor } from '../../src/deck/render-slides';
import { createViewStore, type ViewFields } from '../../src/deck/view-store';
import type { Trace } from '../../src/trace';
import { rerenderKeepingFragments } from '../../src/viz/fragment-state';

export const WAITING = 'Loading model 43%';

/** The test file's views: the deck's slides' defaults, the presenter's choices over them. */
export const testViews = createViewStore(deckSlides);

const drawn: { slide: SlideModule; root: HTMLElement; context: DeckContext }[] = [];

// A view change redraws the slides showing it that are still in the document, as the deck does
// (renderSlides' keepFragments), but lets a slide's error fail the test.
testViews.subscribe((ids) => {
  for (const { slide, root, context } of drawn) {
    if (root.isConnected && ids.includes(viewIdOf(slide))) rerenderKeepingFragments(root, () => slide.render(root, slideContextFor(slide, context, testViews)));
  }
});

/** Draws `slide` into `root` for `context`, with its view; a view change redraws it. */
export function renderInto<View extends object>(slide: SlideModule<View>, root: HTMLElement, context: DeckContext): void {
  const any = slide as unknown as SlideModule;
  drawn.push({ slide: any, root, context });
  any.render(root, slideContextFor(any, context, testViews));
}

export function renderSlide<View extends object>(slide: SlideModule<View>, trace: Trace | null): HTMLElement {
  const root = document.createElement('section');
  document.body.append(root);
  renderInto(slide, root, { trace, waitingMessage: WAITING });
  return root;
}

/** The slide's speaker notes for `context`, with its current view. */
export function notesOf<View extends object>(slide: SlideModule<View>, context: DeckContext): string {
  const any = slide as unknown as SlideModule;
  return any.notes(slideContextFor(any, context, testViews));
}

/** The slide's view now: its defaults with the choices made (a copy). */
export function viewOf<View extends object>(slide: SlideModule<View>): View {
  return testViews.viewOf(slide) as View;
}

/** Changes the slide's view, as its controls would. */
export function setViewOf<View extends object>(slide: SlideModule<View>, patch: Partial<View>): void {
  testViews.set(viewIdOf(slide), patch as ViewFields);
}

/** Every view back to its defaults, and the slides drawn so far forgotten. */
export function resetViews(): void {
  drawn.length = 0;
  testViews.reset();
}

/** Every element below the root, for "no element was made from text" checks. */
export function tagNames(root: HTMLElement): Set<string> {
  return new Set(Array.from(root.querySelectorAll('*'), (element) => element.tagName.toLowerCase()));
}
