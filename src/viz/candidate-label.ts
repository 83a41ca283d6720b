// Labels for vocabulary ids on the output-side slides. The Trace decodes the prompt's tokens, the
// 64 likeliest next tokens and the extras' tokens; any other id is shown as "id 1234", never as an invented text.
import type { Trace } from '../trace';
import { html } from './dom';
import { knownTokenTexts } from './known-token-text';
import { tokenChip, tokenDisplayText } from './token-chip';
import './candidate-label.css';

/** The decoded text of `id` if this Trace has it, else null. */
export function knownTokenText(trace: Trace, id: number): string | null {
  return knownTokenTexts(trace).get(id) ?? null;
}

/** A neutral chip with the token's text, or a plain "id 1234" label when the Trace has no text for it. */
export function candidateLabel(trace: Trace, id: number, hint?: string): HTMLElement {
  const text = knownTokenText(trace, id);
  if (text !== null) return tokenChip({ text, id }, { coloured: false, hint });
  return html('span', { className: 'token-id-only', text: `id ${id}`, attrs: { title: 'The Trace decodes only the prompt, the 64 likeliest next tokens and the extras' } });
}

/** The same, as one string for captions, SVG labels and notes: "“ the”" or "id 1234". */
export function candidateName(trace: Trace, id: number): string {
  const text = knownTokenText(trace, id);
  return text === null ? `id ${id}` : `“${tokenDisplayText({ text, id })}”`;
}
