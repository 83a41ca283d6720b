// The deck's state in its URL: `?prompt=` (so a link reproduces the deck), `?model=`, `?backend=`
// (read by choose-backend.ts), `?system=` (a chat model's system message), `?max-new-tokens=` (the
// answer's limit). Reveal keeps the slide in the hash (#/attention).

export const DEFAULT_MODEL_NAME = 'sotu-gpt';

/** `?prompt=` as typed, else `fallback` (an empty `?prompt=` is a prompt too: it wins). */
export function readPrompt(search: string, fallback = ''): string {
  return new URLSearchParams(search).get('prompt') ?? fallback;
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

/** `search` with `name` set to `value`, or removed when `value` is ''. */
export function searchWith(search: string, name: string, value: string): string {
  const params = new URLSearchParams(search);
  // URLSearchParams encodes any string, lone surrogates included (as U+FFFD); encodeURIComponent would throw.
  if (value === '') params.delete(name);
  else params.set(name, value);
  const next = params.toString();
  return next ? `?${next}` : '';
}

/** Replaces (never pushes) one parameter of the URL: typing should not fill the Back button's history. */
export function writeSearchParam(name: string, value: string): void {
  const url = `${window.location.pathname}${searchWith(window.location.search, name, value)}${window.location.hash}`;
  window.history.replaceState(window.history.state, '', url);
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
