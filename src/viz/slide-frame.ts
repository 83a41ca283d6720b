// The frame every live slide draws into: title, then either its content or a message in words.
import type { SlideContext } from '../../slides/slide';
import type { Trace } from '../trace';
import { html } from './dom';
import './slide-frame.css';

/** The data-* hooks the live slides put on their root; other attributes (the deck's, Reveal's) stay. */
const ROOT_HOOKS = ['tokenCount', 'layer', 'head', 'query', 'restProb'] as const;

/** Clears the root (and the hooks a previous render left on it) and adds the title. */
export function startSlide(root: HTMLElement, title: string): HTMLElement {
  for (const key of ROOT_HOOKS) delete root.dataset[key];
  root.replaceChildren();
  root.classList.add('live-slide');
  root.append(html('h2', { className: 'live-title', text: title }));
  return root;
}

/**
 * startSlide, then the waiting message when there is no Trace yet. Returns the Trace to draw, or null
 * when the slide is done (it shows why it waits).
 */
export function startLiveSlide(root: HTMLElement, title: string, context: SlideContext): Trace | null {
  startSlide(root, title);
  if (!context.trace) root.append(waitingMessage(context.waitingMessage));
  return context.trace;
}

/** Shown while there is no Trace: the model is loading, the prompt is empty, or it failed. */
export function waitingMessage(message: string): HTMLElement {
  return html('p', { className: 'live-waiting', text: message || 'Waiting for the model…' });
}

/** Shown when the model did not produce what a slide needs: says what, by output name. */
export function missingMessage(sentence: string, missingNames: string[]): HTMLElement {
  const box = html('div', { className: 'live-missing', attrs: { role: 'status' } });
  box.append(html('p', { text: sentence }));
  if (missingNames.length > 0) {
    box.append(html('p', { className: 'live-missing-names', text: `Missing: ${missingNames.join(', ')}` }));
    box.dataset.missing = missingNames.join(' ');
  }
  return box;
}
