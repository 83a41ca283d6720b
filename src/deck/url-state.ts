// The deck's state in its URL: `?prompt=` (so a link reproduces the deck), `?model=`, `?backend=`
// (read by choose-backend.ts), `?system=` (a chat model's system message), `?max-new-tokens=` (the
// answer's limit), `?view=` (the slides' views: layer, head, token, sliders; see view-url.ts), `?ablate=`
// (the deck's knock-out: the heads and MLPs switched off, "2.3,mlp1"; see views-in-url.ts).
// Reveal keeps the slide in the hash (#/attention).
import { normalizePrompt } from '../engine/prompt-rule';
import { VIEW_PARAM } from './view-url';

export const DEFAULT_MODEL_NAME = 'sotu-gpt';

/** `?prompt=` as typed, else `fallback` (an empty `?prompt=` is a prompt too: it wins), its line endings as \n (prompt-rule.ts). */
export function readPrompt(search: string, fallback = ''): string {
  return normalizePrompt(new URLSearchParams(search).get('prompt') ?? fallback);
}

/** A model folder name from `?model=`, else `fallback`; only plain names, so the URL cannot point outside models/. */
export function readModelName(search: string, fallback = DEFAULT_MODEL_NAME): string {
  const name = new URLSearchParams(search).get('model');
  return name && /^[\w.-]+$/.test(name) && !name.startsWith('.') ? name : fallback;
}

/** `?system=` as typed ('' when absent): a chat model's system message. */
export function readSystem(search: string): string {
  return new URLSearchParams(search).get('system') ?? '';
}

/** The most new tokens an answer may have from `?max-new-tokens=`. */
export const MAX_NEW_TOKENS_LIMIT = 4096;

/** `?max-new-tokens=` as a whole number from 1 to MAX_NEW_TOKENS_LIMIT, or null (the engine's default) when absent or not one. */
export function readMaxNewTokens(search: string): number | null {
  const value = new URLSearchParams(search).get('max-new-tokens');
  if (value === null || !/^\s*\d+\s*$/.test(value)) return null;
  const count = Number(value);
  return count >= 1 ? Math.min(count, MAX_NEW_TOKENS_LIMIT) : null;
}

/** The `?view=` parameters' values, in order. */
export function readViewParams(search: string): string[] {
  return new URLSearchParams(search).getAll(VIEW_PARAM);
}

/** `?name=` as written, or null when absent. */
export function readSearchParam(search: string, name: string): string | null {
  return new URLSearchParams(search).get(name);
}

/** Parameters whose `:` `,` `=` stay readable in the URL (they mean the same either way): `view`, and `ablate`'s list. */
const READABLE_PARAMS = new Set([VIEW_PARAM, 'ablate']);

/** The search string for `params`; a `view` or `ablate` parameter keeps its `:` `,` `=` readable. */
function searchOf(params: URLSearchParams): string {
  const pairs = [...params].map(([name, value]) => {
    // URLSearchParams encodes any string, lone surrogates included (as U+FFFD); encodeURIComponent would throw.
    const pair = new URLSearchParams([[name, value]]).toString();
    return READABLE_PARAMS.has(name) ? pair.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%3D/g, '=') : pair;
  });
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

/** `search` with `name` set to `value`, or removed when `value` is ''. */
export function searchWith(search: string, name: string, value: string): string {
  return searchWithAll(search, name, value === '' ? [] : [value]);
}

/** `search` with `name` given each of `values` (none: removed); the other parameters kept in place. */
export function searchWithAll(search: string, name: string, values: readonly string[]): string {
  const params = new URLSearchParams(search);
  if (values.length === 1 && params.getAll(name).length === 1) params.set(name, values[0]); // keeps its place
  else {
    params.delete(name);
    for (const value of values) params.append(name, value);
  }
  return searchOf(params);
}

function replaceSearch(search: string): void {
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${search}${window.location.hash}`);
}

/** Replaces (never pushes) one parameter of the URL: typing should not fill the Back button's history. */
export function writeSearchParam(name: string, value: string): void {
  replaceSearch(searchWith(window.location.search, name, value));
}

/** `search` with the `?view=` parameters `views` and `?ablate=` `ablate` (removed when ''). */
export function searchWithViews(search: string, { views, ablate }: { views: readonly string[]; ablate: string }): string {
  return searchWithAll(searchWith(search, 'ablate', ablate), VIEW_PARAM, views);
}

/** Replaces (never pushes) the `?view=` and `?ablate=` parameters; nothing when the link says it already. */
export function writeSearchParams(state: { views: readonly string[]; ablate: string }): void {
  const now = new URLSearchParams(window.location.search);
  const nowViews = now.getAll(VIEW_PARAM);
  if ((now.get('ablate') ?? '') === state.ablate && nowViews.length === state.views.length && nowViews.every((value, i) => value === state.views[i])) return;
  replaceSearch(searchWithViews(window.location.search, state));
}

/** `write` after a pause (browsers throttle replaceState, and a slider sends many changes), or at once with `immediate`. */
export function debounced(write: () => void, waitMs: number): (options?: { immediate: boolean }) => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return ({ immediate } = { immediate: false }) => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (immediate) write();
    else timer = setTimeout(write, waitMs);
  };
}

export function writePrompt(prompt: string): void {
  writeSearchParam('prompt', prompt);
}

/** writePrompt after a pause in typing (browsers throttle replaceState), or at once with `immediate`. */
export function debouncedPromptWriter(waitMs = 400): (prompt: string, options: { immediate: boolean }) => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return (prompt, { immediate }) => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (immediate) writePrompt(prompt);
    else timer = setTimeout(() => writePrompt(prompt), waitMs);
  };
}
