// For a slide whose inputs must survive its redraws (a slider being dragged, a field being typed in):
// the deck redraws a slide whenever its view changes, so such a slide builds its elements once for
// a given Trace and, on the redraws that follow, only updates them from the new view.

interface Kept {
  inputs: readonly unknown[];
  /** The first element the build made: gone when something else has redrawn the root since. */
  marker: Element | null;
  update: (view: unknown) => void;
}

const drawings = new WeakMap<HTMLElement, Kept>();

/**
 * Calls `build` (which draws into `root` and returns how to show a view) only when `inputs` (the
 * Trace, the waiting message: compared with ===) changed since the last build in this root, or the
 * root was redrawn by other means; then shows `view`.
 */
export function keptDrawing<View>(root: HTMLElement, inputs: readonly unknown[], view: View, build: () => (view: View) => void): void {
  const kept = drawings.get(root);
  const same = kept !== undefined && kept.marker !== null && root.contains(kept.marker) && kept.inputs.length === inputs.length && kept.inputs.every((value, i) => value === inputs[i]);
  if (same) {
    kept.update(view);
    return;
  }
  const update = build();
  drawings.set(root, { inputs: [...inputs], marker: root.firstElementChild, update: update as (view: unknown) => void });
  update(view);
}
