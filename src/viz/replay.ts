// Motion that replays what a slide shows (issue 12 item 8), with Reveal fragments and CSS animations only.
// The slide is drawn in its final state; stepping onto its replay fragment (→, a clicker, space) plays it
// again: each replay item stays hidden until its turn (order × --replay-step), then shows at full contrast.
// Visibility steps rather than fades, so every moment of a replay is a part of the final state (inside the
// frame, legible). Print shows the final state at once (replay.css); with reduced motion there is no replay
// fragment at all, so → moves on instead of pressing through steps that show nothing new.
import './replay.css';

/** The CSS custom property that orders an item within its replay (0 shows at once). */
export const REPLAY_ORDER_PROPERTY = '--replay-order';

/** The presenter's system asks for reduced motion: no replay is offered, since its presses would change nothing on screen. */
export function prefersReducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/**
 * Makes `scope` the fragment that plays every replay item inside it (with reduced motion: nothing, the final state stays). A "custom" fragment: Reveal does not
 * hide it, only marks it .visible when the presenter steps onto it (and unmarks it going back, ready to play again).
 */
export function replayScope<E extends Element>(scope: E, fragmentIndex: number): E {
  if (prefersReducedMotion()) return scope;
  scope.classList.add('fragment', 'custom', 'replay-scope');
  scope.setAttribute('data-fragment-index', String(fragmentIndex));
  return scope;
}

/** Hidden for `order` replay steps after its scope starts playing; `pass`: lit only during its own step (a block the vector passes through). */
export function replayItem<E extends HTMLElement | SVGElement>(element: E, order: number, kind: 'appear' | 'pass' = 'appear'): E {
  element.classList.add(kind === 'appear' ? 'replay-item' : 'replay-pass');
  element.style.setProperty(REPLAY_ORDER_PROPERTY, String(order));
  return element;
}
