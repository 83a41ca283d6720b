// The deck's side of the conversation: the URL's ?system= and ?max-new-tokens= set the run options
// before the first run, and the slides' conversation requests (conversation-requests.ts) become engine
// calls: a system message (kept in the URL), a follow-up turn, starting over, the answer's sampling.
import type { RunOptions } from '../engine/client';
import type { ChatMessage } from '../trace';
import { onConversationRequest, type ConversationRequest } from '../viz/conversation-requests';
import { readMaxNewTokens, readSystem } from './url-state';

/** What this needs from the engine client (a fake one in tests). */
export interface ConversationEngine {
  readonly state: { prompt: string; runOptions: RunOptions };
  setRunOptions(change: Partial<RunOptions>): void;
  reply(message: string, history: ChatMessage[]): void;
}

/** The run options the URL asks for. */
export function runOptionsFromUrl(search: string): Partial<RunOptions> {
  return { system: readSystem(search), maxNewTokens: readMaxNewTokens(search) };
}

/** One request, carried out on the engine; `writeSystem` keeps a new system message in the URL. */
export function handleConversationRequest(engine: ConversationEngine, request: ConversationRequest, writeSystem: (system: string) => void): void {
  switch (request.type) {
    case 'system':
      engine.setRunOptions({ system: request.system });
      writeSystem(request.system);
      break;
    case 'reply':
      if (request.message.trim() !== '') engine.reply(request.message, request.history);
      break;
    case 'restart': {
      // Back to the first question, as the first turn (the follow-ups are dropped with the history).
      const first = engine.state.runOptions.history.find((message) => message.role === 'user');
      engine.reply(first?.content ?? engine.state.prompt, []);
      break;
    }
    case 'sampling':
      engine.setRunOptions({ sampling: request.sampling });
      break;
  }
}

export function connectConversation(target: EventTarget, engine: ConversationEngine, writeSystem: (system: string) => void): void {
  onConversationRequest(target, (request) => handleConversationRequest(engine, request, writeSystem));
}
