// A token for speaker notes: quoted text, or its bytes in hex when it holds part of a character
// (a bare "\ufffd" tells the presenter nothing).
import { quoteToken } from './format';
import { tokenDisplayText, type ChipToken } from './token-chip';

export function noteToken(token: ChipToken): string {
  return token.text.includes('\ufffd') ? tokenDisplayText(token) : quoteToken(token.text);
}
