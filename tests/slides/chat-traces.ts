// TEST FIXTURE ONLY: synthetic Traces of a chat model (ChatML, as SmolLM2's template renders it) for the
// chat slides' view tests: the templated text cut into word tokens, <|im_start|> and <|im_end|> special,
// and the message spans where the engine would report them. Not any model's output.
import type { ChatMessage, Generation, Trace } from '../../src/trace';
import { makeGeneration } from '../fixtures/synthetic-generation';
import { makeTrace, type FixtureToken } from '../fixtures/synthetic-trace';

export const IM_START_ID = 8192;
export const IM_END_ID = 8193;

/** "Hi there!" -> ["Hi", " there!"]: words with their leading space; newlines on their own. */
function words(text: string): string[] {
  return text.match(/\n|[^\S\n]*[^\s]+|[^\S\n]+/g) ?? [];
}

export interface ChatTraceOptions {
  system?: string;
  history?: ChatMessage[];
  prompt: string;
  /** Drop this many tokens from the start, as the engine does past the context window. */
  droppedTokens?: number;
}

export function makeChatTrace(options: ChatTraceOptions): Trace {
  const messages: ChatMessage[] = [...(options.system ? [{ role: 'system' as const, content: options.system }] : []), ...(options.history ?? []), { role: 'user', content: options.prompt }];
  const tokens: (FixtureToken & { special?: boolean })[] = [];
  const spans: { start: number; end: number }[] = [];
  let templated = '';
  const add = (text: string, special = false) => {
    templated += text;
    tokens.push(special ? { text, id: text === '<|im_start|>' ? IM_START_ID : IM_END_ID, special } : { text });
  };
  for (const message of messages) {
    add('<|im_start|>', true);
    add(message.role);
    add('\n');
    const start = templated.length;
    words(message.content).forEach((word) => add(word));
    spans.push({ start, end: templated.length });
    add('<|im_end|>', true);
    add('\n');
  }
  add('<|im_start|>', true);
  add('assistant');
  add('\n');
  const dropped = options.droppedTokens ?? 0;
  const trace = makeTrace({ tokens: tokens.slice(dropped), prompt: options.prompt, droppedTokens: dropped, modelType: 'llama', vocabSize: IM_END_ID + 1 });
  tokens.slice(dropped).forEach((token, index) => (trace.tokens[index].special = token.special === true));
  trace.chat = { template: 'model', messages, templated, spans };
  return trace;
}

/** An answer of `texts`, ended by <|im_end|> (stoppedBy 'eos') unless `stop` says otherwise. */
export function makeChatAnswer(trace: Trace, texts: string[], options: { stop?: 'eos' | 'limit' | null; ms?: number; maxNewTokens?: number } = {}): Generation {
  const stop = options.stop === undefined ? 'eos' : options.stop;
  const steps = [...texts.map((text) => ({ text })), ...(stop === 'eos' ? [{ text: '<|im_end|>', id: IM_END_ID }] : [])];
  const generation = makeGeneration(trace, { steps, cachedDone: stop !== null, uncached: null, cachedMs: () => options.ms ?? 20, maxNewTokens: options.maxNewTokens ?? 128 });
  return { ...generation, stopIds: [IM_END_ID], cached: { ...generation.cached, stoppedBy: stop } };
}
