// A speaker-view preview draws what the presenter's window sends (see deck-channel.ts): it asks
// for the current context (hello), then follows every context, generation step and view change,
// and says bye when its page goes, so the presenter's window stops sending (open-previews.ts). It
// follows that window through a reload, as Reveal's own speaker view does (startPreview).
import type { DeckContext } from '../../slides/slide';
import type { DeckChannel } from './deck-channel';
import { connectPromptInputs } from './prompt-inputs';
import { randomId } from './random-id';
import { addSpeakerPromptField } from './speaker-prompt-field';
import type { ViewChoices, ViewStore } from './view-store';

export const WAITING_FOR_PRESENTER = 'Waiting for the presenter’s window…';

/**
 * The preview's side of the channel: `greet` says hello (again: a page back from the back-forward cache, or a hello
 * the presenter's window missed), `leave` says bye, `answered` is whether a context has come.
 */
export interface Following {
  greet(): void;
  leave(): void;
  readonly answered: boolean;
}

export function followPresenter(
  channel: DeckChannel,
  show: (context: DeckContext, prompt: string, backend: string | null) => void,
  showViews: (views: ViewChoices) => void = () => undefined,
): Following {
  const preview = randomId();
  let context: DeckContext | null = null;
  let prompt = '';
  let backend: string | null = null;
  channel.onMessage((message) => {
    if (message.type === 'views') {
      showViews(message.views);
      return;
    }
    if (message.type === 'context') {
      context = { trace: message.trace, waitingMessage: message.waitingMessage, generation: message.generation };
      prompt = message.prompt;
      backend = message.backend ?? null;
      showViews(message.views); // first: the new context is then drawn with the presenter's views
    } else if (message.type === 'generation' && context) {
      context = { ...context, generation: message.generation };
    } else {
      return;
    }
    show(context, prompt, backend);
  });
  const greet = () => channel.post({ type: 'hello', preview });
  greet();
  return {
    greet,
    leave: () => channel.post({ type: 'bye', preview }),
    get answered() {
      return context !== null;
    },
  };
}

/** How often a preview checks on its presenter's window, as Reveal's speaker view does (its heartbeat is 1 s too). */
export const PREVIEW_HEARTBEAT_MS = 1000;

/**
 * The preview's side, wired: slides drawn from the presenter's window with its views, and every
 * prompt field of the preview (and the one it adds to the speaker view) sending its prompt there to be run.
 * Every PREVIEW_HEARTBEAT_MS it checks on that window: reloaded, it has a new session and so a new channel, which
 * the preview joins (Reveal's speaker view reconnects to a reloaded window by itself); not answered yet (the hello
 * came while it was still starting), it says hello again.
 */
export function startPreview(
  presenterSession: () => string | null,
  channelFor: (session: string | null) => DeckChannel,
  render: (context: DeckContext) => unknown,
  views: ViewStore,
): void {
  let session = presenterSession();
  let channel = channelFor(session);
  const sendPrompt = (prompt: string, { immediate }: { immediate: boolean }) => channel.post({ type: 'prompt', prompt, immediate });
  const promptInputs = connectPromptInputs(sendPrompt);
  const speakerField = addSpeakerPromptField(sendPrompt);
  const follow = () =>
    followPresenter(
      channel,
      (context, prompt, backend) => {
        render(context);
        promptInputs.show(prompt);
        speakerField?.show(prompt);
        speakerField?.showBackend(backend);
      },
      (choices) => views.replace(choices),
    );
  let following = follow();
  setInterval(() => {
    const now = presenterSession();
    if (now !== null && now !== session) {
      following.leave();
      channel.close();
      session = now;
      channel = channelFor(session);
      following = follow();
    } else if (!following.answered) {
      following.greet();
    }
  }, PREVIEW_HEARTBEAT_MS);
  window.addEventListener('pagehide', () => following.leave());
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) following.greet();
  });
}
