// The presenter's window (the one that runs the model) keeps the speaker view's previews drawing
// what it draws: the whole slide context when the Trace or the waiting message changes, only the
// generation while it streams (a Trace can be megabytes: it is not cloned again for every token),
// and the current context to a preview that says hello. Prompts the previews send are run here.
import type { EngineState } from '../engine/client';
import type { ContextMessage, DeckChannel } from './deck-channel';
import { slideContext } from './slide-context';

export interface SharedEngine {
  readonly state: EngineState;
  subscribe(listener: (state: EngineState) => void): unknown;
}

export function contextMessage(state: EngineState): ContextMessage {
  const context = slideContext(state);
  return { type: 'context', prompt: state.prompt, trace: context.trace, waitingMessage: context.waitingMessage, generation: context.generation ?? null };
}

export function shareWithPreviews(
  channel: DeckChannel,
  engine: SharedEngine,
  runPrompt: (prompt: string, options: { immediate: boolean }) => void,
): void {
  let last: ContextMessage | null = null;
  engine.subscribe((state) => {
    const next = contextMessage(state);
    if (last !== null && last.trace === next.trace && last.waitingMessage === next.waitingMessage) {
      if (last.generation !== next.generation) channel.post({ type: 'generation', generation: next.generation });
    } else {
      channel.post(next);
    }
    last = next;
  });
  channel.onMessage((message) => {
    if (message.type === 'hello') channel.post(contextMessage(engine.state));
    else if (message.type === 'prompt') runPrompt(message.prompt, { immediate: message.immediate });
  });
}
