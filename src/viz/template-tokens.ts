// Which part of the chat template each input token comes from: a special token, the system message,
// the user's text, an earlier answer, or the template's own text ("user\n"). Tokens are placed in
// `chat.templated` by their bytes, from the end (a prompt longer than the window is cut at the start).
import type { ChatInput, ChatRole, TraceToken } from '../trace';

export type TemplatePart = 'special' | ChatRole | 'template';

export interface TemplateToken {
  token: TraceToken;
  part: TemplatePart;
  /** The message (index into chat.messages) whose content the token overlaps; null for special and template tokens. */
  messageIndex: number | null;
}

export interface TemplateTokens {
  tokens: TemplateToken[];
  /** Every non-special token was found in `templated` at its place; false when the bytes disagree (then only special tokens are marked). */
  aligned: boolean;
}

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

function sameBytes(a: Uint8Array, start: number, b: readonly number[]): boolean {
  if (start < 0 || start + b.length > a.length) return false;
  for (let i = 0; i < b.length; i++) if (a[start + i] !== b[i]) return false;
  return true;
}

/** Each token's part of the template, by byte ranges: the message spans are UTF-16 offsets, turned into UTF-8 offsets here. */
export function templateTokens(chat: ChatInput, tokens: readonly TraceToken[]): TemplateTokens {
  const document = encoder.encode(chat.templated);
  const spans = chat.spans.map((span) => (span ? { start: utf8Length(chat.templated.slice(0, span.start)), end: utf8Length(chat.templated.slice(0, span.end)) } : null));
  const ranges: ({ start: number; end: number } | null)[] = new Array(tokens.length).fill(null);
  let end = document.length;
  let aligned = true;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const bytes = tokens[i].bytes;
    if (sameBytes(document, end - bytes.length, bytes)) {
      ranges[i] = { start: end - bytes.length, end };
      end -= bytes.length;
    } else if (!tokens[i].special) {
      aligned = false; // a special token the tokenizer added (a BOS not in the text) takes no bytes; anything else means we lost our place
      break;
    }
  }
  const partOf = (index: number): Pick<TemplateToken, 'part' | 'messageIndex'> => {
    if (tokens[index].special) return { part: 'special', messageIndex: null };
    const range = ranges[index];
    if (!aligned || !range) return { part: 'template', messageIndex: null };
    const found = spans.findIndex((span) => span !== null && span.end > span.start && range.start < span.end && range.end > span.start);
    return found < 0 ? { part: 'template', messageIndex: null } : { part: chat.messages[found].role, messageIndex: found };
  };
  return { tokens: tokens.map((token, index) => ({ token, ...partOf(index) })), aligned };
}

/** The index in chat.messages of the last user message (the prompt just typed), or -1. */
export function lastUserMessage(chat: ChatInput): number {
  for (let i = chat.messages.length - 1; i >= 0; i--) if (chat.messages[i].role === 'user') return i;
  return -1;
}
