// The deck's one copy of every slide's view (layer, head, token, sliders). Slides ask for a change
// with setView; the store keeps the presenter's choices over each view's defaults and tells its
// listeners which views changed, so the deck redraws those slides and their notes, rewrites the
// URL and sends the views to the speaker view's previews.
import { viewIdOf, type SlideModule } from '../../slides/slide';

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
  const defaults = new Map<string, ViewFields>();
  for (const slide of slides) {
    if (!slide.defaultView) continue;
    const id = viewIdOf(slide);
    defaults.set(id, { ...(slide.defaultView as ViewFields), ...defaults.get(id) }); // the first slide's value wins
  }
  const stored = new Map<string, ViewFields>();
  const listeners = new Set<(viewIds: readonly string[]) => void>();
  const notify = (ids: readonly string[]) => {
    if (ids.length > 0) for (const listener of [...listeners]) listener(ids);
  };
  const current = (id: string): ViewFields => ({ ...defaults.get(id), ...stored.get(id) });
  const differences = (id: string, fields: ViewFields): ViewFields => {
    const base = defaults.get(id) ?? {};
    return Object.fromEntries(Object.entries(fields).filter(([key, value]) => !(key in base) || !sameValue(base[key], value)));
  };
  const replace = (choices: ViewChoices): void => {
    const ids = new Set([...stored.keys(), ...Object.keys(choices)]);
    const changed = [...ids].filter((id) => {
      const before = current(id);
      const after = { ...defaults.get(id), ...choices[id] };
      const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
      return [...keys].some((key) => !sameValue(before[key], after[key]));
    });
    stored.clear();
    for (const [id, fields] of Object.entries(choices)) stored.set(id, { ...fields });
    notify(changed);
  };

  return {
    viewOf: (slide) => current(viewIdOf(slide)),
    defaultsOf: (viewId) => defaults.get(viewId),
    set(viewId, patch) {
      const before = current(viewId);
      if (Object.entries(patch).every(([key, value]) => key in before && sameValue(before[key], value))) return;
      stored.set(viewId, differences(viewId, { ...stored.get(viewId), ...patch }));
      notify([viewId]);
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
