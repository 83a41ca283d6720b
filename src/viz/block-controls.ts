// Selectors shared by the transformer-block slides: numbered buttons (layer, head) and a token stepper
// that works for 1 token and for 256 alike.
import { html } from './dom';
import { tokenChip } from './token-chip';
import type { Trace } from '../trace';

export function clampIndex(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, Math.trunc(Number.isFinite(value) ? value : low)));
}

/** A row of numbered buttons; the chosen one is aria-pressed. */
export function numberChoices(label: string, count: number, chosen: number, onChoose: (value: number) => void): HTMLElement {
  const group = html('div', { className: 'live-choices', attrs: { role: 'group', 'aria-label': label } }, [html('span', { className: 'live-choices-label', text: label })]);
  for (let value = 0; value < count; value++) {
    const button = html('button', { className: 'live-choice', text: String(value), attrs: { type: 'button', 'aria-pressed': value === chosen } });
    button.addEventListener('click', () => onChoose(value));
    group.append(button);
  }
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
