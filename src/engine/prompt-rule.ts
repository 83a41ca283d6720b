// One rule for the prompt everywhere (the deck's fields, the plugin's option, ?prompt=, the speaker
// view and `npm run trace`): line endings are normalised to \n (a browser's text field turns \r\n and
// \r into \n, so a \r could never be typed, and a URL's \r would run a different string than the field
// shows), and a prompt of whitespace alone (spaces, tabs, newlines, no-break spaces: JavaScript's trim)
// is empty: the deck invites a prompt and the CLI refuses it.

/** The prompt as every part of the project runs it: \r\n and lone \r become \n; nothing else changes. */
export function normalizePrompt(prompt: string): string {
  return prompt.replace(/\r\n?/g, '\n');
}

/** Whitespace alone (String.prototype.trim's set: Unicode White_Space and the BOM) is no prompt. */
export function isEmptyPrompt(prompt: string): boolean {
  return prompt.trim() === '';
}

/** What the CLI says for an empty prompt, whitespace alone included (the deck shows its invitation instead); runTrace's own words. */
export const EMPTY_PROMPT_MESSAGE = 'The prompt is empty: type something for the model to read.';
