// How the presenter's prompt becomes the text the model reads. A chat model (one whose tokenizer
// has a chat template) gets the conversation rendered by its own template, with the generation
// prompt ("<|im_start|>assistant\n") at the end; a base model reads the prompt as typed, after the
// earlier turns' text when there are any (a base model's conversation is one continuing document).
import { baseModelInput, type ChatInput, type ChatMessage } from '../trace';

/** What the presenter asked for: the typed prompt and, for a chat, the rest of the conversation. */
export interface Conversation {
  /** The typed prompt: the user's newest message. */
  prompt: string;
  /** An optional system message (chat models only; empty or absent: none). */
  system?: string;
  /** Earlier turns, oldest first: user messages and the assistant's answers. */
  history?: ChatMessage[];
  /** false: read the prompt as typed even when the model has a chat template. Default true. */
  chat?: boolean;
  /** For templates that print today's date (Llama 3): a fixed date string, e.g. "26 Jul 2024"; default today. */
  dateString?: string;
}

/** The conversation as the template receives it: the system message, the history, the typed prompt. */
export function conversationMessages(conversation: Conversation): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (conversation.system) messages.push({ role: 'system', content: conversation.system });
  for (const message of conversation.history ?? []) if (message.role !== 'system') messages.push(message);
  messages.push({ role: 'user', content: conversation.prompt });
  return messages;
}

/**
 * Where each message's content sits in the rendered text, searched in order (each after the
 * previous one found). Templates that trim the content (Llama 3) are matched on the trimmed text.
 */
export function locateSpans(templated: string, messages: ChatMessage[]): ChatInput['spans'] {
  let from = 0;
  return messages.map(({ content }) => {
    for (const text of [content, content.trim()]) {
      if (text === '') continue;
      const start = templated.indexOf(text, from);
      if (start >= 0) {
        from = start + text.length;
        return { start, end: from };
      }
    }
    return null;
  });
}

/** A base model's input: the earlier turns' text and the prompt, joined as one document (no system message). */
export function plainInput(conversation: Conversation): ChatInput {
  if (!conversation.history?.length) return baseModelInput(conversation.prompt);
  const messages = conversationMessages({ ...conversation, system: undefined });
  const templated = messages.map((m) => m.content).join('');
  return { template: 'none', messages, templated, spans: locateSpans(templated, messages) };
}

/** The part of the tokenizer that renders templates (transformers.js's PreTrainedTokenizer). */
export interface TemplateRenderer {
  apply_chat_template(messages: ChatMessage[], options: Record<string, unknown>): unknown;
}

/** The model's own template applied to the conversation, with the generation prompt; plainInput without a template. */
export function renderConversation(tokenizer: TemplateRenderer, chatTemplate: string | null, conversation: Conversation): ChatInput {
  if (chatTemplate === null || conversation.chat === false) return plainInput(conversation);
  const messages = conversationMessages(conversation);
  const options: Record<string, unknown> = { tokenize: false, add_generation_prompt: true, chat_template: chatTemplate };
  if (conversation.dateString !== undefined) options.date_string = conversation.dateString;
  const templated = tokenizer.apply_chat_template(messages, options);
  if (typeof templated !== 'string') throw new Error('the chat template did not render to text');
  return { template: 'model', messages, templated, spans: locateSpans(templated, messages) };
}
