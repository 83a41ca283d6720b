// The deck's state in its URL: `?prompt=` (so a link reproduces the deck), `?model=`, `?backend=`
// (read by choose-backend.ts). Reveal keeps the slide in the hash (#/attention).

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

/** Replaces (never pushes) the URL: typing a prompt should not fill the Back button's history. */
export function writePrompt(prompt: string): void {
  const params = new URLSearchParams(window.location.search);
  // URLSearchParams encodes any string, lone surrogates included (as U+FFFD); encodeURIComponent would throw.
  if (prompt === '') params.delete('prompt');
  else params.set('prompt', prompt);
  const search = params.toString();
  const url = `${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`;
  window.history.replaceState(window.history.state, '', url);
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
