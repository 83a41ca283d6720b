// A speaker-view preview draws what the presenter's window sends (see deck-channel.ts): it asks
// for the current context once (hello), then follows every context and generation step.
import type { SlideContext } from '../../slides/slide';
import type { DeckChannel } from './deck-channel';
import { connectPromptInputs } from './prompt-inputs';
import { addSpeakerPromptField } from './speaker-prompt-field';

export const WAITING_FOR_PRESENTER = 'Waiting for the presenter’s window…';

export function followPresenter(channel: DeckChannel, show: (context: SlideContext, prompt: string) => void): void {
  let context: SlideContext | null = null;
  let prompt = '';
  channel.onMessage((message) => {
    if (message.type === 'context') {
      context = { trace: message.trace, waitingMessage: message.waitingMessage, generation: message.generation };
      prompt = message.prompt;
    } else if (message.type === 'generation' && context) {
      context = { ...context, generation: message.generation };
    } else {
      return;
    }
    show(context, prompt);
  });
  channel.post({ type: 'hello' });
}

/**
 * The preview's side, wired: slides drawn from the presenter's window, and every prompt field of
 * the preview (and the one it adds to the speaker view) sending its prompt there to be run.
 */
export function startPreview(channel: DeckChannel, render: (context: SlideContext) => unknown): void {
  const sendPrompt = (prompt: string, { immediate }: { immediate: boolean }) => channel.post({ type: 'prompt', prompt, immediate });
  const promptInputs = connectPromptInputs(sendPrompt);
  const speakerField = addSpeakerPromptField(sendPrompt);
  followPresenter(channel, (context, prompt) => {
    render(context);
    promptInputs.show(prompt);
    speakerField?.show(prompt);
  });
}
