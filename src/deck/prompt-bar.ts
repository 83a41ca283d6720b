// The prompt bar: a field over any slide, opened with the E key (Reveal does not use E; the
// binding is listed in Reveal's help overlay, "?"). Enter runs the prompt and closes the bar,
// Esc closes it, Shift+Enter adds a new line.

export const PROMPT_BAR_KEY = { keyCode: 69, key: 'E', description: 'Edit the prompt (prompt bar)' } as const;

export interface PromptBar {
  element: HTMLElement;
  open(): void;
  close(): void;
}

export function createPromptBar(): PromptBar {
  const element = document.createElement('div');
  element.id = 'prompt-bar';
  element.hidden = true;
  const label = document.createElement('label');
  label.htmlFor = 'prompt-bar-input';
  label.textContent = 'Prompt';
  const field = document.createElement('textarea');
  field.id = 'prompt-bar-input';
  field.rows = 2;
  field.spellcheck = false;
  field.dataset.promptInput = 'bar';
  const help = document.createElement('p');
  help.className = 'prompt-bar-help';
  help.textContent = 'Enter: run and close · Shift+Enter: new line · Esc: close';
  element.append(label, field, help);

  const close = () => {
    if (element.hidden) return;
    element.hidden = true;
    if (document.activeElement === field) field.blur(); // hand the keys back to Reveal
  };
  // Enter and Esc leave the field (see prompt-inputs.ts), and so does a click elsewhere: the bar goes.
  field.addEventListener('blur', close);

  return {
    element,
    open() {
      element.hidden = false;
      field.focus();
      field.select();
    },
    close,
  };
}
