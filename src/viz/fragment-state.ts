// Keeps Reveal's fragment state across a slide's own re-render (a click on one of its controls).
// Reveal marks the fragments it has shown with the classes below; rebuilt elements would lack them
// and vanish until the deck next syncs, so they are copied over by data-fragment-index.
const REVEAL_FRAGMENT_CLASSES = ['visible', 'current-fragment'] as const;

export function rerenderKeepingFragments(root: HTMLElement, draw: () => void): void {
  const shown = new Map<string, string[]>();
  for (const element of Array.from(root.querySelectorAll('.fragment'))) {
    const classes = REVEAL_FRAGMENT_CLASSES.filter((name) => element.classList.contains(name));
    if (classes.length > 0) shown.set(element.getAttribute('data-fragment-index') ?? '', classes);
  }
  draw();
  if (shown.size === 0) return;
  for (const element of Array.from(root.querySelectorAll('.fragment'))) {
    const classes = shown.get(element.getAttribute('data-fragment-index') ?? '');
    if (classes) element.classList.add(...classes);
  }
}
