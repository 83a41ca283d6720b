// The knock-out is the deck's state (view-store.ts's deck field `ablate`, "2.3,mlp1"): the who-voted slide, the
// multi-head slide and the tower set it, the URL keeps it as ?ablate=, the speaker view's previews get it with the
// views; this turns it into the engine's run option, so a click runs the model (and the answer) again.
import type { EngineClient } from '../engine/client';
import { isKnockOutEmpty, parseKnockOut, type KnockOut } from '../trace/knock-out';
import { DECK_VIEW_ID, type ViewStore } from './view-store';

/** Where the knock-out is kept: the deck's own view and its field. */
export const KNOCK_OUT_VIEW = { id: DECK_VIEW_ID, field: 'ablate' } as const;

/** The knock-out the deck holds; null when none (or when the text is not one: the who-voted slide says so). */
export function knockOutOfViews(views: Pick<ViewStore, 'viewOf'>): KnockOut | null {
  const text = views.viewOf({ id: KNOCK_OUT_VIEW.id })[KNOCK_OUT_VIEW.field];
  if (typeof text !== 'string') return null;
  try {
    const knockOut = parseKnockOut(text);
    return isKnockOutEmpty(knockOut) ? null : knockOut;
  } catch {
    return null;
  }
}

/** Runs the prompt again whenever the chosen knock-out changes (setRunOptions ignores an unchanged one). */
export function connectKnockOut(views: ViewStore, engine: Pick<EngineClient, 'setRunOptions' | 'state'>): void {
  const apply = () => {
    const chosen = knockOutOfViews(views);
    if (JSON.stringify(chosen) !== JSON.stringify(engine.state.runOptions.knockOut ?? null)) engine.setRunOptions({ knockOut: chosen });
  };
  apply();
  views.subscribe(apply);
}
