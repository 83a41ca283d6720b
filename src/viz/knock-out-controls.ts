// The knock-out's pieces shared by the slides that set or show it (multi-head, tower, next-token,
// generation, complete response): a head's or an MLP's on/off button, the line saying what is switched
// off with the plain run's top token before and after, and a one-click "switch all back on".
// The chosen set is the deck's (the views' `ablate`, "2.3,mlp1"); what the numbers show is the Trace's
// (trace.knockOut, what the model really ran without), so a click is "running…" until the new Trace comes.
//
// Test hooks:
//   button.ko-toggle[data-part="2.3" | "mlp1" | "attn2"][aria-pressed]   switches a head, an MLP or a whole layer's attention
//   .ko-block-row                                                         the tower's row of them for the open block
//   .ko-status[data-state="pending" | "done" | "refused" | "invalid"]    what is off; absent when nothing is
//   .ko-before-after[data-baseline-id]                                    the before/after sentence
//   button.ko-restore                                                     switches everything back on
import { softmax } from '../maths/softmax';
import { componentLabel, formatKnockOut, isKnockOutEmpty, parseKnockOut, toggleKnockOut, type KnockOut, type Trace } from '../trace';
import { html } from './dom';
import { formatPercent, quoteToken } from './format';
import './knock-out-controls.css';

const NONE: KnockOut = { heads: [], mlps: [] };

/** The knock-out an `ablate` text names; null when it names none it can read (the who-voted slide says so). */
export function knockOutOfText(ablate: unknown): KnockOut | null {
  try {
    return parseKnockOut(typeof ablate === 'string' ? ablate : '');
  } catch {
    return null;
  }
}

/** "layer 2 · head 3, MLP 1". */
export function knockOutNames(knockOut: KnockOut): string {
  return [
    ...knockOut.heads.map(({ layer, head }) => componentLabel({ kind: 'head', layer, head })),
    ...knockOut.mlps.map((layer) => componentLabel({ kind: 'mlp', layer, head: null })),
  ].join(', ');
}

/** The plain run's top token, its probability then (plain model) and now (this Trace's model). */
export function knockOutChange(trace: Trace): { id: number; token: string; before: number; after: number } | null {
  const before = trace.knockOutBaseline?.[0];
  if (!trace.knockOut || !before) return null;
  return { id: before.id, token: before.token, before: before.prob, after: softmax(trace.lastLogits)[before.id] };
}

/** "Without layer 2 · head 3, " cookies" falls from 31.2% to 4.0%." (null without a knock-out). */
export function knockOutSentence(trace: Trace): string | null {
  if (!trace.knockOut || isKnockOutEmpty(trace.knockOut)) return null;
  const change = knockOutChange(trace);
  const names = knockOutNames(trace.knockOut);
  if (!change) return `Without ${names}.`;
  const verb = change.after < change.before ? 'falls' : change.after > change.before ? 'rises' : 'stays';
  return `Without ${names}, ${quoteToken(change.token)} ${verb} from ${formatPercent(change.before)} to ${formatPercent(change.after)}.`;
}

/** The before/after line for a slide that only shows the result (next-token); null without a knock-out. */
export function knockOutResultLine(trace: Trace, className = ''): HTMLElement | null {
  const sentence = knockOutSentence(trace);
  if (!sentence) return null;
  const change = knockOutChange(trace);
  return html('p', { className: `live-caption ko-before-after ${className}`.trim(), text: sentence, attrs: change ? { 'data-baseline-id': String(change.id) } : {} });
}

/** Whether `part` ("2.3", "mlp1", "attn2": every head of layer 2) is off in `knockOut`. */
function isOff(knockOut: KnockOut, part: Part, nHead: number): boolean {
  if (part.kind === 'mlp') return knockOut.mlps.includes(part.layer);
  if (part.kind === 'head') return knockOut.heads.some((h) => h.layer === part.layer && h.head === part.head);
  return nHead > 0 && knockOut.heads.filter((h) => h.layer === part.layer).length >= nHead;
}

export type Part = { kind: 'head'; layer: number; head: number } | { kind: 'mlp'; layer: number } | { kind: 'attention'; layer: number; head?: undefined };

/** `knockOut` with `part` switched: on if off, off if on (a layer's attention: all its heads together). */
export function togglePart(knockOut: KnockOut, part: Part, nHead: number): KnockOut {
  if (part.kind === 'mlp') return toggleKnockOut(knockOut, { layer: part.layer, head: null });
  if (part.kind === 'head') return toggleKnockOut(knockOut, { layer: part.layer, head: part.head });
  const others = knockOut.heads.filter((h) => h.layer !== part.layer);
  const all = Array.from({ length: nHead }, (_, head) => ({ layer: part.layer, head }));
  const heads = isOff(knockOut, part, nHead) ? others : [...others, ...all].sort((a, b) => a.layer - b.layer || a.head - b.head);
  return { heads, mlps: knockOut.mlps };
}

function partId(part: Part): string {
  return part.kind === 'head' ? `${part.layer}.${part.head}` : part.kind === 'mlp' ? `mlp${part.layer}` : `attn${part.layer}`;
}

/**
 * A button that switches `part` off (or back on): the deck then runs the model again. Without `label` it says
 * "switch off" / "switched off" (under a head's map); with one it is a choice button named `label`, pressed when off.
 */
export function knockOutToggle(ablate: unknown, part: Part, nHead: number, setAblate: (ablate: string) => void, label?: string): HTMLButtonElement {
  const chosen = knockOutOfText(ablate) ?? NONE;
  const off = isOff(chosen, part, nHead);
  const button = html('button', {
    className: label === undefined ? 'ko-toggle' : 'live-choice ko-toggle ko-choice',
    text: label ?? (off ? 'switched off' : 'switch off'),
    attrs: { type: 'button', 'data-part': partId(part), 'aria-pressed': off, title: off ? 'switch it back on and run the model again' : 'switch it off and run the model again' },
  });
  button.addEventListener('click', (event) => {
    event.stopPropagation(); // not also a click on the head's map or the block
    setAblate(formatKnockOut(togglePart(chosen, part, nHead)));
  });
  return button;
}

/**
 * What is switched off, with the before/after once the model has run without it, and "switch all back on";
 * null when nothing is (the slide shows its usual text then).
 */
export function knockOutStatus(trace: Trace, ablate: unknown, setAblate: (ablate: string) => void): HTMLElement | null {
  // (Body-sized: it takes the lead paragraph's place.)
  const chosen = knockOutOfText(ablate);
  if (chosen && isKnockOutEmpty(chosen) && isKnockOutEmpty(trace.knockOut)) return null;
  const shown = formatKnockOut(trace.knockOut ?? NONE);
  const state = !chosen ? 'invalid' : trace.knockOutRefused && !isKnockOutEmpty(chosen) ? 'refused' : shown !== formatKnockOut(chosen) ? 'pending' : 'done';
  const status = html('div', { className: 'ko-status', attrs: { 'data-state': state } });
  if (state === 'invalid') status.append(html('span', { text: `“${String(ablate)}” names no head or MLP (write 2.3 or mlp1).` }));
  else if (state === 'refused') status.append(html('span', { text: trace.knockOutRefused ?? '' }));
  else if (state === 'pending') status.append(html('span', { text: isKnockOutEmpty(chosen) ? 'Running the whole model again…' : `Running the model without ${knockOutNames(chosen!)}…` }));
  else {
    const change = knockOutChange(trace);
    status.append(html('span', { className: 'ko-before-after', text: knockOutSentence(trace) ?? '', attrs: change ? { 'data-baseline-id': String(change.id) } : {} }));
  }
  const restore = html('button', { className: 'live-choice ko-restore', text: 'switch all back on', attrs: { type: 'button' } });
  restore.addEventListener('click', () => setAblate(''));
  status.append(restore);
  return status;
}

/** "Written by the model without layer 2 · head 3 (switched off)." for the generation slides; null without a knock-out. */
export function knockOutAnswerSentence(trace: Trace): string | null {
  if (!trace.knockOut || isKnockOutEmpty(trace.knockOut)) return null;
  return `Written by the model without ${knockOutNames(trace.knockOut)} (switched off).`;
}

/** The generation slides' line under a knock-out: the answer shown is the knocked-out model's. */
export function knockOutAnswerNote(trace: Trace): HTMLElement | null {
  const sentence = knockOutAnswerSentence(trace);
  return sentence ? html('p', { className: 'live-caption ko-answer', text: sentence, attrs: { 'data-knock-out': formatKnockOut(trace.knockOut!) } }) : null;
}

/** "Switch off: [attention] [feed-forward]": the tower's buttons for the open block (beside its panel's title). */
export function knockOutBlockRow(ablate: unknown, layer: number, nHead: number, setAblate: (ablate: string) => void, names: { attention: string; mlp: string }): HTMLElement {
  return html('div', { className: 'ko-block-row' }, [
    html('span', { text: 'Switch off:' }),
    knockOutToggle(ablate, { kind: 'attention', layer }, nHead, setAblate, names.attention),
    knockOutToggle(ablate, { kind: 'mlp', layer }, nHead, setAblate, names.mlp),
  ]);
}
