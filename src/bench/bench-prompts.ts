// The bench's prompts: pairs of different prompts of exactly n tokens, cut from a held-out State of
// the Union address so they read as a presenter's prompt would.
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { loadSpeeches, splitSpeeches } from '../train/corpus';

export interface PromptPair {
  tokens: number;
  /** Two different prompts of exactly `tokens` tokens, and their ids. */
  texts: [string, string];
  ids: [number[], number[]];
}

const decode = (tokenizer: PreTrainedTokenizer, ids: number[]) => tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
const encode = (tokenizer: PreTrainedTokenizer, text: string) => tokenizer.encode(text, { add_special_tokens: false });

/**
 * Prompts of exactly n tokens: n consecutive ids of a long English text (a held-out State of the
 * Union address, whitespace made single spaces), decoded, trimmed and re-encoded to check the count.
 * The first prompt is the text's first n ids; the second begins at the first sentence after it, so
 * both read as a presenter's prompt would. A window that does not re-encode to n tokens is moved on.
 */
export function promptsOfLength(tokenizer: PreTrainedTokenizer, text: string, n: number): PromptPair {
  const ids = encode(tokenizer, text).slice(0, 4000);
  const pieces = ids.map((id) => decode(tokenizer, [id]));
  const startsSentence = (i: number) => i === 0 || (/[.!?:]["”’]?$/.test(pieces[i - 1]) && /^ ?[A-Z]/.test(pieces[i]));
  const found: { text: string; ids: number[] }[] = [];
  for (let start = 0; found.length < 2 && start + n <= ids.length; start++) {
    if (!startsSentence(start)) continue;
    const candidate = decode(tokenizer, ids.slice(start, start + n)).trim();
    const again = encode(tokenizer, candidate);
    if (again.length !== n) continue;
    found.push({ text: candidate, ids: again });
    start += n - 1; // the second prompt follows the first: different text, same length
  }
  if (found.length < 2) throw new Error(`could not make two ${n}-token prompts from the text (${ids.length} tokens)`);
  return { tokens: n, texts: [found[0].text, found[1].text], ids: [found[0].ids, found[1].ids] };
}

export function benchText(): string {
  const { validation } = splitSpeeches(loadSpeeches());
  // The most recent held-out address: modern English the model did not train on.
  return validation[validation.length - 1].text.replace(/\s+/g, ' ').trim();
}
