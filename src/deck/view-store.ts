// The deck's one copy of every slide's view (layer, head, token, sliders). Slides ask for a change
// with setView; the store keeps the presenter's choices over each view's defaults and tells its
// listeners which views changed, so the deck redraws those slides and their notes, rewrites the
// URL and sends the views to the speaker view's previews.
// A few fields are the deck's, not one view's (DECK_FIELDS: the knock-out, `ablate`): every view that
// declares one shows the one value, a change from any slide changes it for all, and choices() carries it
// under the pseudo view DECK_VIEW_ID (the URL writes it as its own parameter, ?ablate=).
import { viewIdOf, type SlideModule } from '../../slides/slide';

/** Fields shared by the whole deck: `ablate`, the parts of the model switched off ("2.3,mlp1"; '' for none). */
export const DECK_FIELDS: Readonly<Record<string, unknown>> = { ablate: '' };
/** The view id the deck's fields are kept and sent under. */
export const DECK_VIEW_ID = 'deck';

/** One view's fields (the values a slide passed to setView: a NaN from a cleared field included). */
export type ViewFields = Record<string, unknown>;

/** View id -> the fields that differ from that view's defaults: what the URL and the previews get. */
export type ViewChoices = Record<string, ViewFields>;

export interface ViewStore {
  /** The view `slide` is drawn from: its defaults with the stored choices over them (a copy). */
  viewOf(slide: Pick<SlideModule, 'id' | 'viewId'>): ViewFields;
  /** The defaults of a view (every slide sharing it contributes its fields); undefined for an unknown view. */
  defaultsOf(viewId: string): Readonly<ViewFields> | undefined;
  /** Changes some fields of a view; listeners hear of it only when a value really changed. */
  set(viewId: string, patch: object): void;
  /** Every field that differs from its default, by view (views at their defaults are left out). */
  choices(): ViewChoices;
  /** Makes `choices` the whole state (a preview following its presenter; the URL at start). */
  replace(choices: ViewChoices): void;
  /** Every view back to its defaults. */
  reset(): void;
  /** Called with the ids of the views that changed; returns the unsubscribe. */
  subscribe(listener: (viewIds: readonly string[]) => void): () => void;
}

/** Object.is: NaN equals NaN (a cleared field stays cleared), 0 and -0 differ as the slide wrote them. */
function sameValue(a: unknown, b: unknown): boolean {
  return Object.is(a, b);
}

export function createViewStore(slides: readonly Pick<SlideModule, 'id' | 'viewId' | 'defaultView'>[]): ViewStore {
  const defaults = new Map<string, ViewFields>([[DECK_VIEW_ID, { ...DECK_FIELDS }]]);
  for (const slide of slides) {
    if (!slide.defaultView) continue;
    const id = viewIdOf(slide);
    defaults.set(id, { ...(slide.defaultView as ViewFields), ...defaults.get(id) }); // the first slide's value wins
  }
  const isDeckField = (key: string) => Object.hasOwn(DECK_FIELDS, key);
  const stored = new Map<string, ViewFields>();
  const listeners = new Set<(viewIds: readonly string[]) => void>();
  const notify = (ids: readonly string[]) => {
    if (ids.length > 0) for (const listener of [...listeners]) listener(ids);
  };
  const current = (id: string): ViewFields => {
    const fields: ViewFields = { ...defaults.get(id), ...stored.get(id) };
    // A deck field declared by this view shows the deck's value.
    for (const key of Object.keys(fields)) if (isDeckField(key)) fields[key] = { ...DECK_FIELDS, ...stored.get(DECK_VIEW_ID) }[key];
    return fields;
  };
  const differences = (id: string, fields: ViewFields): ViewFields => {
    const base = defaults.get(id) ?? {};
    return Object.fromEntries(Object.entries(fields).filter(([key, value]) => !(key in base) || !sameValue(base[key], value)));
  };
  /** Stores `fields` as `id`'s choices, its deck fields as the deck's (so an old link's ?view=who-voted:ablate= still works). */
  const store = (id: string, fields: ViewFields): void => {
    const own = Object.fromEntries(Object.entries(fields).filter(([key]) => id === DECK_VIEW_ID || !isDeckField(key)));
    const deck = Object.fromEntries(Object.entries(fields).filter(([key]) => id !== DECK_VIEW_ID && isDeckField(key)));
    stored.set(id, own);
    if (Object.keys(deck).length > 0) stored.set(DECK_VIEW_ID, { ...stored.get(DECK_VIEW_ID), ...deck });
  };
  /** The ids whose view differs between two snapshots. */
  const changedBetween = (before: Map<string, ViewFields>, after: Map<string, ViewFields>): string[] =>
    [...after.keys()].filter((id) => {
      const a = before.get(id) ?? {};
      const b = after.get(id)!;
      return [...new Set([...Object.keys(a), ...Object.keys(b)])].some((key) => !sameValue(a[key], b[key]));
    });
  const snapshot = (): Map<string, ViewFields> => new Map([...new Set([...defaults.keys(), ...stored.keys()])].map((id) => [id, current(id)]));
  const replace = (choices: ViewChoices): void => {
    const before = snapshot();
    stored.clear();
    for (const [id, fields] of Object.entries(choices)) store(id, { ...stored.get(id), ...fields }); // in order: a later deck field wins
    notify(changedBetween(before, snapshot()));
  };

  return {
    viewOf: (slide) => current(viewIdOf(slide)),
    defaultsOf: (viewId) => defaults.get(viewId),
    set(viewId, patch) {
      const before = current(viewId);
      if (Object.entries(patch).every(([key, value]) => key in before && sameValue(before[key], value))) return;
      const all = snapshot();
      const own = viewId === DECK_VIEW_ID ? {} : Object.fromEntries(Object.entries(patch).filter(([key]) => !isDeckField(key)));
      const deck = viewId === DECK_VIEW_ID ? patch : Object.fromEntries(Object.entries(patch).filter(([key]) => isDeckField(key)));
      if (viewId !== DECK_VIEW_ID) stored.set(viewId, differences(viewId, { ...stored.get(viewId), ...own }));
      stored.set(DECK_VIEW_ID, differences(DECK_VIEW_ID, { ...stored.get(DECK_VIEW_ID), ...deck }));
      notify(changedBetween(all, snapshot()));
    },
    choices() {
      const result: ViewChoices = {};
      for (const [id, fields] of stored) {
        const changed = differences(id, fields);
        if (Object.keys(changed).length > 0) result[id] = changed;
      }
      return result;
    },
    replace,
    reset: () => replace({}),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
