// The presenter window's views and its URL: read once at start (a link opens on the layer, head,
// token and sliders it was made with), written back after each change and each new prompt.
// The deck's knock-out is its own parameter, `?ablate=2.3,mlp1`, not a view's: an old link's
// `?view=who-voted:ablate=...` is still read, and rewritten as `?ablate=` on the next write.
import { debounced, readSearchParam, readViewParams, writeSearchParams } from './url-state';
import { decodeViews, encodeViews } from './view-url';
import { DECK_VIEW_ID, type ViewChoices, type ViewStore } from './view-store';

/** The knock-out's parameter: `?ablate=2.3,mlp1` (layer.head, mlpLayer; 0-based, as the slides count). */
export const ABLATE_PARAM = 'ablate';

/** The views a search string holds: its `?view=` parameters, and `?ablate=` as the deck's knock-out (it wins over an old link's). */
export function viewsFromSearch(search: string, defaultsOf: ViewStore['defaultsOf'], prompt: string): ViewChoices {
  const choices = decodeViews(readViewParams(search), defaultsOf, prompt);
  const ablate = readSearchParam(search, ABLATE_PARAM);
  if (ablate !== null) {
    // Every deck field written in a slide's view (the old form) gives way to ?ablate=.
    for (const fields of Object.values(choices)) delete fields[ABLATE_PARAM];
    const { [DECK_VIEW_ID]: deck, ...rest } = choices;
    return { ...rest, [DECK_VIEW_ID]: { ...deck, [ABLATE_PARAM]: ablate } };
  }
  return choices;
}

/** The `?view=` values and the `?ablate=` value ('' for none) that say `choices`. */
export function searchParamsOfViews(choices: ViewChoices, defaultsOf: ViewStore['defaultsOf'], prompt: string): { views: string[]; ablate: string } {
  const { [DECK_VIEW_ID]: deck, ...slides } = choices;
  const ablate = typeof deck?.[ABLATE_PARAM] === 'string' ? deck[ABLATE_PARAM] : '';
  return { views: encodeViews(slides, defaultsOf, prompt), ablate };
}

/** Sets `views` from the URL's `?view=` and `?ablate=` parameters, for the prompt the deck starts with. */
export function restoreViewsFromUrl(views: ViewStore, search: string, prompt: string): void {
  views.replace(viewsFromSearch(search, views.defaultsOf, prompt));
}

/**
 * Keeps `?view=` and `?ablate=` equal to the views (only what differs from the defaults). Returns the call for a
 * new prompt: a token chosen for the old prompt is then no longer on screen, nor in the link.
 */
export function mirrorViewsToUrl(views: ViewStore, currentPrompt: () => string): () => void {
  const write = debounced(() => writeSearchParams(searchParamsOfViews(views.choices(), views.defaultsOf, currentPrompt())), 300);
  views.subscribe(() => write());
  // An old link's knock-out (?view=who-voted:ablate=...) is rewritten as ?ablate= at once.
  if (readViewParams(window.location.search).some((param) => /[:,]ablate=/.test(param))) write();
  return () => write();
}
