// GPT-2's pre-tokenizer: split text into words before BPE, so a merge never crosses a word.
// A space belongs to the start of the word after it (" bake"), as in GPT-2 and transformers.js's ByteLevel.
export const GPT2_SPLIT_PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export function pretokenize(text: string): string[] {
  return text.match(GPT2_SPLIT_PATTERN) ?? [];
}
