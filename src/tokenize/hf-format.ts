// Writes and reads Hugging Face `tokenizer.json` / `tokenizer_config.json` for a byte-level BPE,
// in the layout GPT-2's files use, so transformers.js's AutoTokenizer loads ours unchanged.
import type { BpeVocabulary } from './bpe-trainer';

export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfigJson: Record<string, unknown>;
}

export function toHuggingFaceFiles(bpe: BpeVocabulary, modelMaxLength: number): TokenizerFiles {
  const endOfText = bpe.specialTokens[0];
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: bpe.specialTokens.map((content) => ({
      id: bpe.vocab.get(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: true,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab: Object.fromEntries(bpe.vocab),
      merges: bpe.merges.map((m) => `${m.left} ${m.right}`),
    },
  };
  const tokenizerConfigJson = {
    tokenizer_class: 'GPT2Tokenizer',
    model_max_length: modelMaxLength,
    bos_token: endOfText,
    eos_token: endOfText,
    unk_token: endOfText,
    add_prefix_space: false,
    clean_up_tokenization_spaces: false,
  };
  return { tokenizerJson, tokenizerConfigJson };
}

export interface LoadedBpe {
  vocab: Map<string, number>;
  merges: [string, string][];
}

/** Reads vocab and merges back from a tokenizer.json (merges as "a b" strings or [a, b] pairs). */
export function readTokenizerJson(json: unknown): LoadedBpe {
  const model = (json as { model?: { type?: string; vocab?: Record<string, number>; merges?: unknown[] } }).model;
  if (!model || model.type !== 'BPE' || !model.vocab || !Array.isArray(model.merges)) {
    throw new Error('tokenizer.json has no BPE model (model.type, model.vocab and model.merges are required)');
  }
  const merges = model.merges.map((m): [string, string] => {
    if (Array.isArray(m) && m.length === 2) return [String(m[0]), String(m[1])];
    const parts = String(m).split(' ');
    if (parts.length !== 2) throw new Error(`tokenizer.json has a malformed merge: ${JSON.stringify(m)}`);
    return [parts[0], parts[1]];
  });
  return { vocab: new Map(Object.entries(model.vocab)), merges };
}
