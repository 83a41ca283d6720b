// A prompt field in the speaker view, above the notes. The speaker window is Reveal's notes plugin's
// own page (same origin as the deck), so the preview in its "current slide" frame adds the field
// to it and hands what the presenter types there to `onPrompt`. Under the field: the backend and why it
// was chosen, for the presenter's eyes only (the audience's badge hides once the model is loaded).
import { handlePromptKey, isClickerKey } from './prompt-inputs';

export interface SpeakerPromptField {
  /** Shows `prompt` unless the presenter is typing in the field. */
  show(prompt: string): void;
  /** "WASM · fp32: WebGPU's adapter is a software fallback…", or nothing while unknown. */
  showBackend(line: string | null): void;
}

export const SPEAKER_PROMPT_ID = 'speaker-prompt';
export const SPEAKER_BACKEND_ID = 'speaker-backend';

export function addSpeakerPromptField(onPrompt: (prompt: string, options: { immediate: boolean }) => void): SpeakerPromptField | null {
  let frame: Element | null = null;
  try {
    frame = window.frameElement;
  } catch {
    return null; // not the deck's origin
  }
  if (!frame?.closest('#current-slide')) return null; // only the current-slide preview, once
  const speakerDocument = frame.ownerDocument;
  const controls = speakerDocument.querySelector('#speaker-controls');
  if (!controls) return null;
  speakerDocument.getElementById(SPEAKER_PROMPT_ID)?.parentElement?.remove(); // left by a preview that reloaded

  const box = speakerDocument.createElement('div');
  box.className = 'speaker-controls-prompt';
  box.style.padding = '10px 16px';
  const label = speakerDocument.createElement('label');
  label.htmlFor = SPEAKER_PROMPT_ID;
  label.textContent = 'PROMPT (Enter runs it)';
  label.style.cssText = 'display:block;font-size:0.66em;color:#666;margin-bottom:4px';
  const field = speakerDocument.createElement('textarea');
  field.id = SPEAKER_PROMPT_ID;
  field.rows = 2;
  field.spellcheck = false;
  field.style.cssText = 'width:100%;box-sizing:border-box;font:inherit;font-size:0.9em';
  const backend = speakerDocument.createElement('p');
  backend.id = SPEAKER_BACKEND_ID;
  backend.style.cssText = 'margin:6px 0 0;font-size:0.66em;color:#444';
  box.append(label, field, backend);
  controls.insertBefore(box, controls.querySelector('.speaker-controls-notes'));

  field.addEventListener('input', () => onPrompt(field.value, { immediate: false }));
  field.addEventListener('keydown', (event) => {
    if (isClickerKey(event)) {
      field.blur(); // and on it goes: the speaker view sends it to the slides, as with no field focused
      return;
    }
    event.stopPropagation(); // the speaker view sends every other key to the preview as a slide command
    handlePromptKey(event, field, onPrompt);
  });

  return {
    show(prompt) {
      if (speakerDocument.activeElement !== field && field.value !== prompt) field.value = prompt;
    },
    showBackend(line) {
      backend.textContent = line ? `Backend: ${line}` : '';
    },
  };
}
