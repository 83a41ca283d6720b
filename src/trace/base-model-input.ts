// A chat input for a base model, which reads the prompt as typed.
import type { ChatInput } from './types';

/** A base model's input: the prompt as typed, no template. */
export function baseModelInput(prompt: string): ChatInput {
  return { template: 'none', messages: [{ role: 'user', content: prompt }], templated: prompt, spans: [{ start: 0, end: prompt.length }] };
}
