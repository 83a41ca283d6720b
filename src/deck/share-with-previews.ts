// The presenter's window (the one that runs the model) keeps the speaker view's previews drawing
// what it draws, while a preview is open (from its hello to its bye): the current context at once, then the whole slide
// context when the Trace (after this window's own next frame) or the waiting message changes, only
// the generation while it streams (a Trace can be megabytes: it is not cloned again for every token),
// and the slides' views whenever one changes. Prompts the previews send are run here.
import type { EngineState } from '../engine/client';
import type { ContextMessage, DeckChannel, DeckMessage } from './deck-channel';
import { trackOpenPreviews, type OpenPreviews } from './open-previews';
import { afterNextFrameOrSoon } from './render-slides';
import { slideContext } from './slide-context';
import type { ViewStore } from './view-store';

export interface SharedEngine {
  readonly state: EngineState;
  subscribe(listener: (state: EngineState) => void): unknown;
}

export function contextMessage(state: EngineState, views: ViewStore, backendReason: string | null = null): ContextMessage {
  const context = slideContext(state);
  const backend = state.backend && backendReason ? `${backendLabel(state)}: ${backendReason}` : null;
  return { type: 'context', prompt: state.prompt, trace: context.trace, waitingMessage: context.waitingMessage, generation: context.generation ?? null, views: views.choices(), backend };
}

/** "WASM · fp32" once the model says which weights run. */
function backendLabel(state: EngineState): string {
  const name = state.backend === 'webgpu' ? 'WebGPU' : 'WASM';
  return state.model?.precision ? `${name} · ${state.model.precision}` : name;
}

export function shareWithPreviews(
  channel: DeckChannel,
  engine: SharedEngine,
  runPrompt: (prompt: string, options: { immediate: boolean }) => void,
  views: ViewStore,
  /** Why the backend was chosen (chooseBackend's reason), once known: the speaker view shows it, the audience does not. */
  backendReason: () => string | null = () => null,
  previews: OpenPreviews = trackOpenPreviews(channel),
): void {
  let last: ContextMessage | null = null;
  // Nothing is sent while no preview is open (none has said hello, or all have said bye): cloning a long prompt's
  // Trace costs ~0.1 s, and nobody listens. A preview that opens later gets the whole context with its hello.
  // A new Trace goes to the previews once this window's slide on screen shows it (after its next frame, or soon if
  // this window makes none: hidden behind the speaker view): the clone, and the previews' drawing on the same thread,
  // would otherwise come first. Messages sent meanwhile wait behind it.
  let waiting: DeckMessage[] | null = null;
  const send = (message: DeckMessage, afterOwnFrame = false) => {
    if (waiting) waiting.push(message);
    else if (!afterOwnFrame) channel.post(message);
    else {
      waiting = [message];
      afterNextFrameOrSoon(() => {
        const queued = waiting ?? [];
        waiting = null;
        for (const each of queued) channel.post(each);
      });
    }
  };
  engine.subscribe((state) => {
    if (!previews.open) return;
    const next = contextMessage(state, views, backendReason());
    if (last !== null && last.trace === next.trace && last.waitingMessage === next.waitingMessage && last.backend === next.backend) {
      if (last.generation !== next.generation) send({ type: 'generation', generation: next.generation });
    } else {
      send(next, next.trace !== null && next.trace !== last?.trace);
    }
    last = next;
  });
  views.subscribe(() => {
    if (previews.open) send({ type: 'views', views: views.choices() });
  });
  channel.onMessage((message) => {
    if (message.type === 'hello') {
      last = contextMessage(engine.state, views, backendReason());
      send(last);
    } else if (message.type === 'prompt') {
      runPrompt(message.prompt, { immediate: message.immediate });
    }
  });
}
