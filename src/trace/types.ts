// The Trace's types: everything one forward pass of the model computed for the current prompt, as plain data.
import type { AttributionComponent } from '../maths/attribution';
import type { KnockOut } from './knock-out';

export type { AttributionComponent, AttributionKind } from '../maths/attribution';

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
  /**
   * The query, key and value projections add a learned bias (q = x W_q + b_q): GPT-2's c_attn and Qwen2
   * always, a Llama with attention_bias, Mistral never. Absent in a Trace saved before it was recorded.
   */
  qkvBias?: boolean;
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

/** Something the engine could not compute for this Trace, and why: recorded so no view re-derives it. */
export interface MissingPart {
  /** What went missing: a logit-lens stage ("layer 2"), or "every stage". */
  part: string;
  /** The graph output or weight it needed and did not have, e.g. "trace.layer.1.resid.after_mlp". */
  needs: string;
  /** Why, in words for the audience: "the model's graph does not expose it". */
  reason: string;
}

/** Values the engine derives from the model's weights and tokenizer for this prompt. */
export interface TraceExtras {
  logitLens: LogitLensRow[];
  /** The lens stages (or weights) the engine lacked: their rows are absent from logitLens. */
  logitLensMissing: MissingPart[];
  /**
   * True: the traced pass left the lens out (logitLens is empty) and the answer computes it, in
   * Generation.logitLens, so a prompt edit draws the slide on screen sooner. Absent: logitLens is this Trace's.
   */
  logitLensFromAnswer?: boolean;
  merges: WordMerges[];
  embeddingSpace: { points: EmbeddingPoint[]; explainedVariance: [number, number]; skippedWords: string[] };
  analogy: AnalogyResult;
  weightExcerpt: WeightExcerpt | null;
}

/** A token (or the gap between two) whose logit at the last position is attributed. */
export interface AttributionTarget {
  id: number;
  token: string;
  /** The model's own logit for this token at the last position. */
  logit: number;
}

/** One logit (or the top-two gap) split into what each part of the model wrote into the residual stream. */
export interface LogitAttribution {
  target: AttributionTarget;
  /** The gap variant: the runner-up subtracted; null for the plain logit. */
  against: AttributionTarget | null;
  /** Forward order: embed, pos (GPT-2), per layer its heads, its attention-projection bias (if any) and its MLP; the final norm's bias. */
  components: AttributionComponent[];
  /** The components' total, with the final norm's scale held fixed at the last position. */
  sum: number;
  /** What the model computed: the target's logit, or the top-two gap. */
  modelValue: number;
}

/** Direct logit attribution at the last position (computed by the engine: it needs the weights). */
export interface TraceAttribution {
  logit: LogitAttribution;
  /** Top token minus runner-up; null for a one-token vocabulary. */
  gap: LogitAttribution | null;
  /** The linearisation: the final norm's kind and its divisor (σ or RMS) at the last position, held fixed. */
  norm: 'layernorm' | 'rmsnorm';
  scale: number;
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
  /** Which parts of the model voted for the top token; null (with attributionMissing) when the engine could not compute it. */
  attribution?: TraceAttribution | null;
  attributionMissing?: MissingPart[];
  /** The heads and MLPs switched off for this run (absent: the plain model). */
  knockOut?: KnockOut;
  /** With a knock-out: the plain model's top 10 for the same prompt, so the slides show before and after. */
  knockOutBaseline?: NextTokenCandidate[];
  /** Why a knock-out asked for was not done (a model converted without the inputs): the Trace is the plain run. */
  knockOutRefused?: string;
  timings: TraceTimings;
}

