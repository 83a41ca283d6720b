// The slides' views in the URL, so a link reproduces what is on screen: one `view` parameter per view
// that differs from its defaults, only the fields that differ:
//
//   ?prompt=The+Congress&view=attention:layer=2,head=3,query=5&view=sampling:temperature=1.2,seed=7#/attention
//
// Values: numbers as JavaScript writes them, `null`, `true`, `false`, and text as `'` followed by
// the text percent-encoded (so `,` `=` `:` in it never split the list). A token chosen for a prompt
// (`query` with `queryPrompt`, see slides/slide.ts) is written as `query=5` alone when it was chosen
// for the prompt in ?prompt=, and left out when it was chosen for an earlier prompt (the slide shows
// its default then). Reading takes what it can and drops the rest without a word: an unknown view or
// field, a value of the wrong type; a number out of range is kept and the slide clamps it to the model.
import type { ViewChoices, ViewFields } from './view-store';

export const VIEW_PARAM = 'view';

const PROMPT_SUFFIX = 'Prompt';

/** The fields of `defaults` that hold the prompt another field was chosen for: `queryPrompt` -> `query`. */
function promptFields(defaults: Readonly<ViewFields>): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const key of Object.keys(defaults)) {
    const chosen = key.slice(0, -PROMPT_SUFFIX.length);
    if (key.endsWith(PROMPT_SUFFIX) && chosen in defaults) pairs.set(key, chosen);
  }
  return pairs;
}

function encodeValue(value: unknown): string | null {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null; // NaN: a cleared field, shown as its default
  if (typeof value === 'string') return `'${encodeURIComponent(wellFormed(value))}`;
  return null;
}

const NO_VALUE = Symbol('no value');

function decodeValue(text: string): unknown {
  if (text === 'null') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text.startsWith("'")) {
    try {
      return decodeURIComponent(text.slice(1));
    } catch {
      return NO_VALUE;
    }
  }
  if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return NO_VALUE;
  const number = Number(text);
  return Number.isFinite(number) ? number : NO_VALUE;
}

/** A value fits a field when it has the default's type; a field whose default is null (no choice yet) takes any. */
function fits(value: unknown, fallback: unknown): boolean {
  return fallback === null || (value !== null && typeof value === typeof fallback);
}

/** Lone surrogates (which encodeURIComponent refuses) as U+FFFD, as URLSearchParams writes them. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** The `view` parameters' values for `choices` (views at their defaults left out), in the order given. */
export function encodeViews(choices: ViewChoices, defaultsOf: (viewId: string) => Readonly<ViewFields> | undefined, prompt: string): string[] {
  const params: string[] = [];
  for (const [viewId, fields] of Object.entries(choices)) {
    const defaults = defaultsOf(viewId);
    if (!defaults) continue;
    const pairs = promptFields(defaults);
    // A choice made for another prompt is not on screen (the slide shows its default): left out.
    const stale = new Set<string>();
    for (const [promptKey, chosen] of pairs) {
      const chosenFor = promptKey in fields ? fields[promptKey] : defaults[promptKey];
      if (chosenFor !== prompt) stale.add(chosen);
    }
    const parts: string[] = [];
    for (const [key, value] of Object.entries(fields)) {
      if (!(key in defaults) || pairs.has(key) || stale.has(key) || Object.is(value, defaults[key])) continue;
      const text = encodeValue(value);
      if (text !== null) parts.push(`${key}=${text}`);
    }
    if (parts.length > 0) params.push(`${viewId}:${parts.join(',')}`);
  }
  return params;
}

/** The views written in `params` (the `view` parameters' values), for the prompt in ?prompt=. */
export function decodeViews(params: readonly string[], defaultsOf: (viewId: string) => Readonly<ViewFields> | undefined, prompt: string): ViewChoices {
  const choices: ViewChoices = {};
  for (const param of params) {
    const colon = param.indexOf(':');
    if (colon < 0) continue;
    const viewId = param.slice(0, colon);
    const defaults = defaultsOf(viewId);
    if (!defaults) continue;
    const pairs = promptFields(defaults);
    const fields: ViewFields = { ...choices[viewId] };
    for (const part of param.slice(colon + 1).split(',')) {
      const equals = part.indexOf('=');
      if (equals < 0) continue;
      const key = part.slice(0, equals);
      if (!Object.hasOwn(defaults, key) || pairs.has(key)) continue;
      const value = decodeValue(part.slice(equals + 1));
      if (value === NO_VALUE || !fits(value, defaults[key])) continue;
      fields[key] = value;
    }
    for (const [promptKey, chosen] of pairs) if (chosen in fields) fields[promptKey] = prompt; // chosen for the prompt in the link
    if (Object.keys(fields).length > 0) choices[viewId] = fields;
  }
  return choices;
}
