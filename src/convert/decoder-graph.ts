// What every decoder graph we build shares with transformers.js: the symbolic dimension names, the inputs
// it feeds a decoder-only model with a KV cache, and the causal + padding mask built from them.
import { DataType } from './onnx-proto';
import { attr, type GraphBuilder } from './onnx-writer';

// Symbolic dimensions, named as transformers.js and optimum exports name them.
export const batch = 'batch_size';

/** `x` cut to its last position along `axis` (a Slice from -1 to the end; the axis kept, of size 1). */
export function lastPosition(g: GraphBuilder, x: string, axis: number, name: string): string {
  return g.node('Slice', name, [x, g.constant('last_start', 'int64', [-1]), g.constant('last_end', 'int64', [2 ** 62]), g.constant(`axes_${axis}`, 'int64', [axis])]);
}
export const seq = 'sequence_length';
export const past = 'past_sequence_length';
export const total = 'total_sequence_length';

// Masked attention scores hold the most negative float32, as Hugging Face does (not -inf: no NaN rows).
export const FLOAT32_MIN = -3.4028234663852886e38;

/** The shape of one layer's cached keys (and values): [batch, heads, past, headDim]. */
export interface CacheShape {
  layers: number;
  /** Key/value heads: n_head for GPT-2, num_key_value_heads for Llama. */
  heads: number;
  headDim: number;
}

export interface DecoderInputs {
  inputIds: string;
  attentionMask: string;
  positionIds: string;
  pastKeys: string[];
  pastValues: string[];
}

/** The inputs transformers.js feeds a decoder-only model with a cache. */
export function declareDecoderInputs(g: GraphBuilder, cache: CacheShape): DecoderInputs {
  const inputIds = g.input('input_ids', 'int64', [batch, seq]);
  const attentionMask = g.input('attention_mask', 'int64', [batch, total]);
  const positionIds = g.input('position_ids', 'int64', [batch, seq]);
  const pastKeys: string[] = [];
  const pastValues: string[] = [];
  for (let layer = 0; layer < cache.layers; layer++) {
    // Heads and head_dim are numbers: transformers.js sizes the empty first-call cache from these dims.
    const shape = [batch, cache.heads, past, cache.headDim];
    pastKeys.push(g.input(`past_key_values.${layer}.key`, 'float32', shape));
    pastValues.push(g.input(`past_key_values.${layer}.value`, 'float32', shape));
  }
  return { inputIds, attentionMask, positionIds, pastKeys, pastValues };
}

/** Declares the cache outputs, present.N.key / present.N.value, after logits as transformers.js expects. */
export function declarePresentOutputs(g: GraphBuilder, cache: CacheShape): void {
  for (let layer = 0; layer < cache.layers; layer++) {
    g.output(`present.${layer}.key`, 'float32', [batch, cache.heads, total, cache.headDim]);
    g.output(`present.${layer}.value`, 'float32', [batch, cache.heads, total, cache.headDim]);
  }
}

/**
 * Which keys each query may see, as a bool [b, 1, s, t] shared by all layers:
 * query i (absolute position past+i) sees key j iff j <= past+i and attention_mask[j] == 1.
 */
export function attentionAllowed(g: GraphBuilder, inputIds: string, attentionMask: string): string {
  const int64Scalar = (value: number) => g.scalar(`i64_${value}`, 'int64', value);
  const lengthOf = (x: string, name: string) =>
    g.node('Gather', name, [g.node('Shape', `${name}.shape`, [x]), int64Scalar(1)], { attributes: { axis: attr.int(0) } });

  const seqLength = lengthOf(inputIds, 'mask.sequence_length');
  const totalLength = lengthOf(attentionMask, 'mask.total_sequence_length');
  const pastLength = g.node('Sub', 'mask.past_sequence_length', [totalLength, seqLength]);
  const queryPositions = g.node('Range', 'mask.query_positions', [pastLength, totalLength, int64Scalar(1)]); // [s]
  const keyPositions = g.node('Range', 'mask.key_positions', [int64Scalar(0), totalLength, int64Scalar(1)]); // [t]
  const queryColumn = g.node('Unsqueeze', 'mask.query_column', [queryPositions, g.constant('axes', 'int64', [1])]);
  const causal = g.node('LessOrEqual', 'mask.causal', [keyPositions, queryColumn]); // [s, t]

  const isToken = g.node('Cast', 'mask.key_is_token', [attentionMask], { attributes: { to: attr.int(DataType.BOOL) } });
  const isTokenRow = g.node('Unsqueeze', 'mask.key_is_token_row', [isToken, g.constant('axes', 'int64', [1, 2])]);
  return g.node('And', 'mask.allowed', [causal, isTokenRow]); // [s, t] & [b, 1, 1, t] -> [b, 1, s, t]
}

export interface AttentionWeights {
  maskedScores: string;
  probs: string;
  /** probs @ v, per head: [b, h, s, hd]. */
  context: string;
}

/**
 * The rest of attention once the scores q·k/sqrt(hd) exist: keys a query may not see get the float32
 * minimum (not -inf: no NaN rows), softmax over the keys, then the weighted sum of the values.
 * `name` prefixes the nodes (`<name>.masked_scores`, `.probs`, `.context`).
 */
export function maskedAttention(g: GraphBuilder, name: string, scores: string, allowed: string, values: string): AttentionWeights {
  const maskedValue = g.scalar('float32_min', 'float32', FLOAT32_MIN);
  const maskedScores = g.node('Where', `${name}.masked_scores`, [allowed, scores, maskedValue]);
  const probs = g.node('Softmax', `${name}.probs`, [maskedScores], { attributes: { axis: attr.int(-1) } });
  const context = g.node('MatMul', `${name}.context`, [probs, values]); // [b, h, s, hd]
  return { maskedScores, probs, context };
}

/** The logits' log-sum-exp over the vocabulary (the last axis dropped: a token's log-probability is its logit minus it); `name` names its value. */
export function logitsLogSumExp(g: GraphBuilder, logits: string, name = 'logits.logsumexp'): string {
  // max(x) - log(max(softmax(x))), softmax(x) being 1/sum(exp(x - max)) at the argmax: not ReduceLogSumExp, whose exp loop is scalar (1 thread, [32, 8192] logits: 1.40 -> 0.46 ms in onnxruntime-web WASM, 1.10 -> 0.08 ms in onnxruntime-node; [128, 49152]: 33.2 -> 10.9, 26.6 -> 3.4 ms).
  const lastAxis = { axes: attr.ints([-1]), keepdims: attr.int(0) }; // opset 17: ReduceMax's axes are an attribute
  const probs = g.node('Softmax', `${name}.probs`, [logits], { attributes: { axis: attr.int(-1) } });
  const top = g.node('ReduceMax', `${name}.max`, [logits], { attributes: lastAxis });
  const topProb = g.node('ReduceMax', `${name}.max_prob`, [probs], { attributes: lastAxis });
  return g.node('Sub', name, [top, g.node('Log', `${name}.log_max_prob`, [topProb])]);
}
