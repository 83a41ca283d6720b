// The knock-out lives in the who-voted slide's view (`ablate`, "2.3,mlp1"), so links and the speaker view carry
// it like any view; this turns the view into the engine's run option, so a click runs the model again.
import type { EngineClient } from '../engine/client';
import { isKnockOutEmpty, parseKnockOut, type KnockOut } from '../trace/knock-out';
import type { ViewStore } from './view-store';

/** The view the knock-out is kept in, and its field. */
export const KNOCK_OUT_VIEW = { id: 'who-voted', field: 'ablate' } as const;

/** The knock-out the views hold; null when none (or when the text is not one: the slide says so). */
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
