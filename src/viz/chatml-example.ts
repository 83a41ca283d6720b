// Another model's chat template, for the slide that explains templates when the loaded model has none:
// SmolLM2-Instruct's ChatML, a published fact (the chat_template in HuggingFaceTB/SmolLM2-360M-Instruct's
// tokenizer_config.json; the ids from its tokenizer.json: <|im_start|> = 1, <|im_end|> = 2). It adds its
// own system message when the conversation has none.
import type { ChatMessage } from '../trace';

export const CHATML_EXAMPLE_MODEL = 'SmolLM2-360M-Instruct';
export const CHATML_EXAMPLE_SOURCE = 'chat_template in HuggingFaceTB/SmolLM2-360M-Instruct’s tokenizer_config.json';
export const SMOLLM2_DEFAULT_SYSTEM = 'You are a helpful AI assistant named SmolLM, trained by Hugging Face';
export const SMOLLM2_SPECIAL_IDS: Readonly<Record<string, number>> = { '<|im_start|>': 1, '<|im_end|>': 2 };

export type ExamplePart = { kind: 'special'; text: string; id: number } | { kind: 'text'; text: string; role: ChatMessage['role'] | 'template'; isDefault?: boolean };

/** The template's output, piece by piece, with add_generation_prompt (it ends with "<|im_start|>assistant\n"). */
export function smolLm2ChatMl(messages: readonly ChatMessage[]): ExamplePart[] {
  const start: ExamplePart = { kind: 'special', text: '<|im_start|>', id: SMOLLM2_SPECIAL_IDS['<|im_start|>'] };
  const end: ExamplePart = { kind: 'special', text: '<|im_end|>', id: SMOLLM2_SPECIAL_IDS['<|im_end|>'] };
  const parts: ExamplePart[] = [];
  const turn = (role: ChatMessage['role'], content: string, isDefault = false) => {
    parts.push(start, { kind: 'text', text: `${role}\n`, role: 'template' }, { kind: 'text', text: content, role, isDefault }, end, { kind: 'text', text: '\n', role: 'template' });
  };
  if (messages[0]?.role !== 'system') turn('system', SMOLLM2_DEFAULT_SYSTEM, true);
  for (const message of messages) turn(message.role, message.content);
  parts.push(start, { kind: 'text', text: 'assistant\n', role: 'template' });
  return parts;
}

/** The parts joined: the exact string the template renders. */
export function exampleText(parts: readonly ExamplePart[]): string {
  return parts.map((part) => part.text).join('');
}
