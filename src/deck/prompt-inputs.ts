// Every prompt field in the deck (the first slide's, the prompt bar's) is marked data-prompt-input.
// Typing in any of them sets the one prompt of the deck; the others follow it.

export const PROMPT_INPUT_SELECTOR = 'textarea[data-prompt-input], input[data-prompt-input]';

type PromptField = HTMLTextAreaElement | HTMLInputElement;

export interface PromptInputs {
  /** Shows `prompt` in every field except the one the presenter is typing in. */
  show(prompt: string): void;
}

/** Moves the slides on (Reveal's next/prev), for a clicker's key pressed in a prompt field. */
export type Navigate = (direction: 'next' | 'previous') => void;

/**
 * The keys a presenter's clicker sends for "next" and "previous". A prompt field gives them up: it has two or three
 * lines to page through, and a clicker that does nothing because the presenter typed without Enter is a stage trap.
 */
export function isClickerKey(event: Pick<KeyboardEvent, 'key' | 'isComposing'>): boolean {
  return !event.isComposing && (event.key === 'PageDown' || event.key === 'PageUp');
}

export function connectPromptInputs(onPrompt: (prompt: string, options: { immediate: boolean }) => void, navigate?: Navigate): PromptInputs {
  const fieldOf = (target: EventTarget | null): PromptField | null =>
    target instanceof Element && target.matches(PROMPT_INPUT_SELECTOR) ? (target as PromptField) : null;

  document.addEventListener('input', (event) => {
    const field = fieldOf(event.target);
    if (field) onPrompt(field.value, { immediate: false });
  });
  // Enter runs at once, Esc leaves the field: both hand the keyboard back to Reveal, which ignores
  // keys while a field has focus. Shift+Enter is a new line.
  document.addEventListener('keydown', (event) => {
    const field = fieldOf(event.target);
    if (field) handlePromptKey(event, field, onPrompt, navigate);
  });

  return {
    show(prompt) {
      for (const field of document.querySelectorAll<PromptField>(PROMPT_INPUT_SELECTOR)) {
        if (field !== document.activeElement && field.value !== prompt) field.value = prompt;
      }
    },
  };
}

/**
 * Enter runs the field's prompt at once and leaves the field; Esc leaves it; Shift+Enter is a new line. With
 * `navigate`, a clicker's PageDown / PageUp leaves it and moves the slides (Reveal ignores keys while a field has focus).
 */
export function handlePromptKey(
  event: KeyboardEvent,
  field: { value: string; blur(): void },
  onPrompt: (prompt: string, options: { immediate: boolean }) => void,
  navigate?: Navigate,
): void {
  if (event.isComposing) return;
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    onPrompt(field.value, { immediate: true });
    leaveAfterThisKey(field);
  } else if (event.key === 'Escape') {
    event.preventDefault();
    leaveAfterThisKey(field);
  } else if (navigate && isClickerKey(event)) {
    event.preventDefault();
    leaveAfterThisKey(field);
    navigate(event.key === 'PageDown' ? 'next' : 'previous');
  }
}

/**
 * Blurs after every listener has seen this key: Reveal's own key handler (on the document too, and
 * maybe registered after ours) ignores keys while a field has focus, and must ignore this one.
 */
function leaveAfterThisKey(field: { blur(): void }): void {
  setTimeout(() => field.blur(), 0);
}
