// Selectors shared by the transformer-block slides: numbered buttons (layer, head) and a token stepper
// that works for 1 token and for 256 alike.
import { html } from './dom';
import { tokenChip } from './token-chip';
import type { Trace } from '../trace';
import './block-controls.css';

export function clampIndex(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, Math.trunc(Number.isFinite(value) ? value : low)));
}

/** Up to this many choices are a row of buttons; more (a deep model's 30 layers) would wrap over the slide. */
export const MAX_CHOICE_BUTTONS = 12;

/**
 * A row of numbered buttons, the chosen one aria-pressed; past MAX_CHOICE_BUTTONS, one line instead:
 * ◀ [chosen] ▶ "of n".
 */
export function numberChoices(label: string, count: number, chosen: number, onChoose: (value: number) => void): HTMLElement {
  const group = html('div', { className: 'live-choices', attrs: { role: 'group', 'aria-label': label } }, [html('span', { className: 'live-choices-label', text: label })]);
  const choice = (value: number, text = String(value), ariaLabel?: string) => {
    const pressed = value === chosen && !ariaLabel;
    const button = html('button', { className: ariaLabel ? 'live-choice tb-step' : 'live-choice', text, attrs: { type: 'button', 'aria-pressed': pressed, ...(ariaLabel ? { 'aria-label': ariaLabel } : {}) } });
    if (ariaLabel && (value < 0 || value >= count)) button.disabled = true;
    else button.addEventListener('click', () => onChoose(value));
    return button;
  };
  if (count <= MAX_CHOICE_BUTTONS) {
    for (let value = 0; value < count; value++) group.append(choice(value));
    return group;
  }
  group.append(
    choice(chosen - 1, '◀', `previous ${label.toLowerCase()}`),
    choice(chosen),
    choice(chosen + 1, '▶', `next ${label.toLowerCase()}`),
    html('span', { className: 'tb-token-position', text: `of 0–${count - 1}` }),
  );
  return group;
}

/** A selection of one token: follows the default while the presenter has not chosen for this prompt. */
export interface TokenChoice {
  token: number | null;
  tokenPrompt: string | null;
}

export function chosenToken(choice: TokenChoice, trace: Trace, defaultIndex: number): number {
  const last = Math.max(0, trace.tokens.length - 1);
  if (choice.token === null || choice.tokenPrompt !== trace.prompt) return clampIndex(defaultIndex, 0, last);
  return clampIndex(choice.token, 0, last);
}

/** ◀ [chip] ▶ "token i of n": one line, whatever the prompt's length. */
export function tokenStepper(trace: Trace, chosen: number, onChoose: (index: number) => void): HTMLElement {
  const count = trace.tokens.length;
  const step = (label: string, text: string, target: number) => {
    const button = html('button', { className: 'live-choice tb-step', text, attrs: { type: 'button', 'aria-label': label, 'data-step': label } });
    if (target === chosen || target < 0 || target >= count) button.disabled = true;
    else button.addEventListener('click', () => onChoose(target));
    return button;
  };
  return html('div', { className: 'live-choices tb-token-stepper', attrs: { role: 'group', 'aria-label': 'Token' } }, [
    html('span', { className: 'live-choices-label', text: 'Token' }),
    step('first token', '|◀', 0), // ⏮ and ⏭ are missing from many fonts; ◀ and | are in all
    step('previous token', '◀', chosen - 1),
    tokenChip(trace.tokens[chosen], { index: chosen }),
    step('next token', '▶', chosen + 1),
    step('last token', '▶|', count - 1),
    html('span', { className: 'tb-token-position', text: `${chosen + 1} of ${count}` }),
  ]);
}
