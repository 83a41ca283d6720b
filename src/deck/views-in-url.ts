// The presenter window's views and its URL: read once at start (a link opens on the layer, head,
// token and sliders it was made with), written back after each change and each new prompt.
import { debounced, readViewParams, writeViewParams } from './url-state';
import { decodeViews, encodeViews } from './view-url';
import type { ViewStore } from './view-store';

/** Sets `views` from the URL's `?view=` parameters, for the prompt the deck starts with. */
export function restoreViewsFromUrl(views: ViewStore, search: string, prompt: string): void {
  views.replace(decodeViews(readViewParams(search), views.defaultsOf, prompt));
}

/**
 * Keeps `?view=` equal to the views (only what differs from the defaults). Returns the call for a
 * new prompt: a token chosen for the old prompt is then no longer on screen, nor in the link.
 */
export function mirrorViewsToUrl(views: ViewStore, currentPrompt: () => string): () => void {
  const write = debounced(() => writeViewParams(encodeViews(views.choices(), views.defaultsOf, currentPrompt())), 300);
  views.subscribe(() => write());
  return () => write();
}
