// The Trace: everything one forward pass of the model computed for the current prompt.
// It is the contract between compute (src/engine) and view (slides): slides import this file,
// never the engine. A Trace is plain data: it crosses postMessage as is and JSON through
// traceToJson / traceFromJson, so it can be saved, printed and rendered again.

/** A tensor with the batch dimension removed. Row-major, float32. */
export interface TraceTensor {
  shape: number[];
  data: Float32Array;
}

export interface ModelInfo {
  /** The model folder's name, e.g. "sotu-gpt". */
  name: string;
  modelType: string;
  vocabSize: number;
  contextLength: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  headDim: number;
  mlpWidth: number;
  layerNormEpsilon: number;
  parameterCount: number | null;
  /** How this family does the parts where GPT-2 and Llama-family models differ: the slides name them. */
  architecture: ModelArchitecture;
  /** The weights that run: float32, or float16 (onnx/model_fp16.onnx: fp16 matrices and MatMuls, the rest float32). */
  precision: 'fp32' | 'fp16';
}

export interface ModelArchitecture {
  family: 'gpt2' | 'llama' | 'other';
  /** LayerNorm (centre, scale, gain and bias) or RMSNorm (scale by the root mean square, gain only). */
  norm: 'layernorm' | 'rmsnorm';
  /** A learned vector added per position, or rotary embeddings applied to q and k in every layer. */
  positions: 'learned' | 'rope';
  /** GELU(x W1) W2, or (SiLU(x W_gate) ⊙ x W_up) W_down. */
  feedForward: 'gelu' | 'swiglu';
  /** Key/value heads: fewer than nHead when query heads share them (grouped-query attention). */
  kvHeads: number;
  /** RoPE's base θ; null for learned positions. */
  ropeTheta: number | null;
  /** The LM head is the embedding table itself. */
  tiedEmbeddings: boolean;
}

export type Backend = 'webgpu' | 'wasm' | 'node-cpu';

export interface TraceToken {
  id: number;
  /** The token as the vocabulary spells it, e.g. "Ġbake" (byte-level alphabet). */
  piece: string;
  /** What the token decodes to on its own: " bake". A token holding part of a character decodes to U+FFFD. */
  text: string;
  /** The UTF-8 bytes the token stands for. */
  bytes: number[];
  /** A special (added) token such as <|im_start|> or <|eot_id|>: the template's, never typed by the user. */
  special: boolean;
}

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** How the typed prompt became the text the model reads. */
export interface ChatInput {
  /** 'model': the model's own chat template was applied; 'none': a base model reads the prompt as typed. */
  template: 'model' | 'none';
  /** The conversation that was rendered: system message (if any), earlier turns, the typed prompt as the last user message. */
  messages: ChatMessage[];
  /** What the template produced (with add_generation_prompt); equal to the prompt when template is 'none'. */
  templated: string;
  /** Where each message's content sits in `templated` (UTF-16 offsets), in the order of `messages`; null when not found. */
  spans: ({ start: number; end: number } | null)[];
}

export interface NextTokenCandidate {
  id: number;
  /** Decoded text of the candidate token. */
  token: string;
  prob: number;
  logit: number;
}

export interface TraceTimings {
  tokenizeMs: number;
  forwardMs: number;
  /** Reading the outputs into the Trace (softmax, top-k, copies). */
  collectMs: number;
  totalMs: number;
}

/** What the model would predict at the last position if it stopped after a given layer. */
export interface LogitLensRow {
  /** "embeddings" (before layer 0), then "layer 1" ... "layer N" (after each block). */
  label: string;
  /** Top candidates of softmax(ln_f(residual) . wte^T) at the last position. */
  top: NextTokenCandidate[];
}

/** The model's own merges turning one pre-tokenized word of the prompt into its tokens. */
export interface WordMerges {
  /** The word as typed, e.g. " chocolate". */
  word: string;
  /** Its bytes in the byte-level alphabet, before any merge. */
  start: string[];
  steps: { rank: number; left: string; right: string; pieces: string[] }[];
}

export interface EmbeddingPoint {
  word: string;
  id: number;
  x: number;
  y: number;
  fromPrompt: boolean;
}

export interface AnalogyResult {
  /** a - b + c, e.g. king - man + woman. */
  words: [string, string, string];
  /** Each word's token ids. A word of several tokens is represented by the mean of their embeddings. */
  ids: [number[], number[], number[]];
  /** The decoded text of each of those tokens. */
  tokenTexts: [string[], string[], string[]];
  /** Nearest vocabulary tokens by cosine similarity, the inputs' own tokens left out. */
  neighbours: { id: number; token: string; cosine: number }[];
}

export interface WeightExcerpt {
  name: string;
  shape: number[];
  rowStart: number;
  colStart: number;
  values: number[][];
}

/** Values the engine derives from the model's weights and tokenizer for this prompt. */
export interface TraceExtras {
  logitLens: LogitLensRow[];
  merges: WordMerges[];
  embeddingSpace: { points: EmbeddingPoint[]; explainedVariance: [number, number]; skippedWords: string[] };
  analogy: AnalogyResult;
  weightExcerpt: WeightExcerpt | null;
}

export interface Trace {
  version: 1;
  /** The prompt as the presenter typed it (for a chat model: the user's last message). */
  prompt: string;
  /** The chat template's work: the tokens below are those of `chat.templated`. */
  chat: ChatInput;
  /** Tokens dropped from the left because the prompt was longer than the context window. */
  droppedTokens: number;
  model: ModelInfo;
  backend: Backend;
  tokens: TraceToken[];
  /** log p(token i+1 | tokens 0..i) for each position but the last: the training loss's terms. */
  nextTokenLogProbs: number[];
  /** Raw logits at the last position (length vocabSize): sampling slides reshape this. */
  lastLogits: Float32Array;
  /** The 10 likeliest next tokens after the prompt. */
  topk: NextTokenCandidate[];
  /** Decoded text of the 64 likeliest next tokens, by id, so sampling views can name more than the top 10. */
  candidateTexts: Record<number, string>;
  /** Every intermediate the graph exposed, by output name (see src/trace/output-names.ts). */
  tensors: Record<string, TraceTensor>;
  /** Intermediates the deck knows about that this model's graph does not expose. */
  missing: string[];
  /** Derived from weights and merges; null when the model's weights could not be read. */
  extras: TraceExtras | null;
  timings: TraceTimings;
}

/** A base model's input: the prompt as typed, no template. */
export function baseModelInput(prompt: string): ChatInput {
  return { template: 'none', messages: [{ role: 'user', content: prompt }], templated: prompt, spans: [{ start: 0, end: prompt.length }] };
}

/** Value at a multi-dimensional index of a tensor (row-major). */
export function tensorAt(tensor: TraceTensor, ...index: number[]): number {
  let offset = 0;
  for (let axis = 0; axis < tensor.shape.length; axis++) offset = offset * tensor.shape[axis] + (index[axis] ?? 0);
  return tensor.data[offset];
}

/** A contiguous slice along the leading axes: e.g. row(t, head, query) of [h, s, t] gives the keys' values. */
export function tensorRow(tensor: TraceTensor, ...leading: number[]): Float32Array {
  const inner = tensor.shape.slice(leading.length).reduce((a, b) => a * b, 1);
  let offset = 0;
  for (let axis = 0; axis < leading.length; axis++) offset = offset * tensor.shape[axis] + leading[axis];
  return tensor.data.subarray(offset * inner, (offset + 1) * inner);
}

interface JsonTensor {
  shape: number[];
  data: number[];
}

/** JSON form: typed arrays become plain arrays. */
export function traceToJson(trace: Trace): string {
  const tensors: Record<string, JsonTensor> = {};
  for (const [name, t] of Object.entries(trace.tensors)) tensors[name] = { shape: t.shape, data: Array.from(t.data) };
  return JSON.stringify({ ...trace, lastLogits: Array.from(trace.lastLogits), tensors });
}

export function traceFromJson(json: string): Trace {
  const raw = JSON.parse(json) as Omit<Trace, 'lastLogits' | 'tensors'> & { lastLogits: number[]; tensors: Record<string, JsonTensor> };
  if (raw.version !== 1) throw new Error(`unsupported trace version ${String(raw.version)}`);
  const tensors: Record<string, TraceTensor> = {};
  for (const [name, t] of Object.entries(raw.tensors)) tensors[name] = { shape: t.shape, data: Float32Array.from(t.data) };
  return { ...raw, lastLogits: Float32Array.from(raw.lastLogits), tensors };
}

/** One token of an autoregressive generation. */
export interface GenerationStep {
  id: number;
  text: string;
  /** The UTF-8 bytes the token stands for (a token may hold part of a character). */
  bytes?: number[];
  /** The chosen token's probability under the model (before sampling settings). */
  prob: number;
  /** The five likeliest candidates at this step. */
  top5: { id: number; text: string; prob: number }[];
  /** Wall time of this step's forward pass and choice. */
  ms: number;
}

export interface GenerationRun {
  useCache: boolean;
  steps: GenerationStep[];
  /** False while tokens are still streaming in. */
  done: boolean;
  /** Why it ended: an end-of-turn/EOS id, the token limit, the context window; null while streaming or when superseded. */
  stoppedBy: 'eos' | 'limit' | 'context' | null;
}

/** A follow-up turn: how much of its input the previous turn's KV cache already held. */
export interface PrefixReuse {
  /** Tokens of this turn's input found, in order, at the start of the previous turn's cached ids. */
  cachedTokens: number;
  /** All tokens of this turn's input. */
  inputTokens: number;
  /** Prefill (the first step) reusing the cache: only inputTokens - cachedTokens positions computed. */
  reusedPrefillMs: number;
  /** The same prefill recomputing every position, measured in the same run. */
  fullPrefillMs: number;
  /** The first token chosen from the reused cache equals the one from the full recomputation. */
  sameFirstToken: boolean;
}

/** The continuation of the current prompt, generated token by token after its Trace. */
export interface Generation {
  prompt: string;
  promptIds: number[];
  /** The ids that end a turn (generation_config.json's eos_token_id, which may list several). */
  stopIds: number[];
  sampling: { temperature: number; topK: number; topP: number };
  seed: number;
  maxNewTokens: number;
  /** Generated with the KV cache: each step feeds only the newest token. */
  cached: GenerationRun;
  /** The same generation recomputing every position at every step (for the KV-cache slide; capped at
   * `uncachedLimit` steps so a long answer is not generated twice); null until it starts. */
  uncached: GenerationRun | null;
  uncachedLimit: number;
  /** For a follow-up turn: the previous turn's cache reused for the shared prefix; null for a first turn. */
  prefixReuse: PrefixReuse | null;
}
