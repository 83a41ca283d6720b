// Labels for vocabulary ids on the output-side slides. The Trace decodes only the prompt's tokens
// and the top-10 candidates; any other id is shown as "id 1234", never as an invented text.
import type { Trace } from '../trace';
import { html } from './dom';
import { tokenChip, tokenDisplayText } from './token-chip';

/** The decoded text of `id` if this Trace has it (a top-10 candidate or a prompt token), else null. */
export function knownTokenText(trace: Trace, id: number): string | null {
  const candidate = trace.topk.find((c) => c.id === id);
  if (candidate) return candidate.token;
  const promptToken = trace.tokens.find((t) => t.id === id);
  return promptToken ? promptToken.text : null;
}

/** A neutral chip with the token's text, or a plain "id 1234" label when the Trace has no text for it. */
export function candidateLabel(trace: Trace, id: number, hint?: string): HTMLElement {
  const text = knownTokenText(trace, id);
  if (text !== null) return tokenChip({ text, id }, { coloured: false, hint });
  return html('span', { className: 'token-id-only', text: `id ${id}`, attrs: { title: 'The Trace decodes only the prompt and the top-10 candidates' } });
}

/** The same, as one string for captions, SVG labels and notes: "“ the”" or "id 1234". */
export function candidateName(trace: Trace, id: number): string {
  const text = knownTokenText(trace, id);
  return text === null ? `id ${id}` : `“${tokenDisplayText({ text, id })}”`;
}
