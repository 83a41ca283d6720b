// Builds the ONNX graph of a Llama forward pass (Hugging Face LlamaForCausalLM) with a KV cache, top to bottom.
// Qwen2 and Mistral are the same graph: Qwen2 adds biases to q_proj, k_proj and v_proj (config.qkv_bias).
// Parameters keep their Hugging Face names; every intermediate named in src/trace/output-names.ts can be exposed.
// Only ops of the writer's opset that ONNX Runtime runs on CPU, WASM and WebGPU (no RMSNormalization, no contrib ops).
import { attentionAllowed, batch, declareDecoderInputs, declarePresentOutputs, logitsLogSumExp, maskedAttention, seq, total } from './decoder-graph';
import type { LlamaConfig, LlamaWeights } from './llama-checkpoint';
import { ropeInverseFrequencies } from './llama-rope';
import { DataType } from './onnx-proto';
import { buildLogitLens } from './logit-lens-graph';
import { declareLensSwitch, declareStepTopSwitch, declareTraceSwitch } from './trace-branch-graph';
import { buildStepTop } from './step-top-graph';
import { traceOutputNodes, tracedValue, type TracedValue } from './stacked-trace-graph';
import { buildAttributionOutputs } from './attribution-graph';
import { declareKnockOutInputs, maskHeads, maskMlp, type KnockOutInputs } from './knock-out-graph';
import { attr, GraphBuilder, type Dim, type OnnxWriteOptions } from './onnx-writer';
import { embedOutputs, finalNormOutput, layerOutput, logitsLogSumExpOutput, type LayerOutputKind } from '../trace/output-names';
import { sinCos } from './sin-cos';

export interface LlamaGraphOptions extends OnnxWriteOptions {
  /** Expose the trace.* intermediates as extra outputs (default true); false gives a plain baseline graph. */
  traceOutputs?: boolean;
  /** Add the knock-out inputs head_mask [layers, heads] and mlp_mask [layers] (see knock-out-graph.ts). */
  knockOut?: boolean;
}

/** What every part of the graph needs: the builder, the sizes, and a way to expose intermediates. */
interface Context {
  g: GraphBuilder;
  config: LlamaConfig;
  /** Whether trace outputs are wanted: nodes that only feed a trace output are skipped otherwise. */
  tracing: boolean;
  /** Exposes `value` as the trace output `name` (no-op for a plain graph). */
  trace: (name: string, value: string, shape: Dim[]) => void;
  /** The knock-out masks, when the graph has them. */
  knockOut?: KnockOutInputs;
  /** Each layer's head contexts as the output projection reads them, and that projection (for attribution-graph.ts). */
  attention: { context: string; projection: string; bias: string | null }[];
}

/** cos and sin of every position's rotation angles, [b, 1, s, hd], shared by all layers. */
interface Rotation {
  cos: string;
  sin: string;
}

export function buildLlamaGraph(config: LlamaConfig, weights: LlamaWeights, options: LlamaGraphOptions = {}): Uint8Array {
  const traceOutputs = options.traceOutputs ?? true;
  const g = new GraphBuilder(config.model_type);
  const traced: TracedValue[] = [];
  const ctx: Context = {
    g,
    config,
    tracing: traceOutputs,
    trace: (name, value, shape) => {
      if (!traceOutputs) return;
      traced.push({ name, value, shape }); // given its output by traceOutputNodes, once every layer is built
    },
    attention: [],
  };

  // The cache holds num_key_value_heads heads: that is what GQA saves.
  const cache = { layers: config.num_hidden_layers, heads: config.num_key_value_heads, headDim: config.head_dim };
  const inputs = declareDecoderInputs(g, cache);
  if (options.knockOut) ctx.knockOut = declareKnockOutInputs(g, config.num_hidden_layers, config.num_attention_heads);
  if (traceOutputs) {
    declareStepTopSwitch(g); // first: the trace switch takes every output the step's and the lens's do not
    declareLensSwitch(g);
    declareTraceSwitch(g);
  }
  for (const [name, weight] of weights) g.weight(name, () => weight.data, weight.shape); // read when written

  const allowed = attentionAllowed(g, inputs.inputIds, inputs.attentionMask);
  const rotation = rotaryAngles(ctx, inputs.positionIds);
  let x = embeddings(ctx, inputs.inputIds);
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    x = attentionBlock(ctx, layer, x, allowed, rotation, inputs.pastKeys[layer], inputs.pastValues[layer]);
    x = mlpBlock(ctx, layer, x);
  }
  const headTransposed = lmHead(ctx, x);
  if (traceOutputs) ctx.trace(logitsLogSumExpOutput, logitsLogSumExp(g, 'logits'), [batch, seq]); // the log-probabilities' denominators
  const lens = traceOutputs
    ? buildLogitLens({ g, nLayer: config.num_hidden_layers, finalNorm: (value) => rmsNorm(ctx, value, 'model.norm'), headTransposed, logits: 'logits', valueOf: tracedValue(traced), vocabSize: config.vocab_size })
    : [];
  const attribution = traceOutputs
    ? buildAttributionOutputs({
        g, heads: config.num_attention_heads, headDim: config.head_dim, width: config.hidden_size, head: config.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight', logits: 'logits',
        contexts: ctx.attention.map((a) => a.context), projections: ctx.attention.map((a) => a.projection), biases: ctx.attention.map((a) => a.bias),
        finalNormGain: 'model.norm.weight', finalNormBias: null,
      })
    : [];

  // Outputs: logits, the grown cache, then the trace outputs in forward-pass order, the logit lens, the attribution's, a step's top 5.
  g.output('logits', 'float32', [batch, seq, config.vocab_size]);
  declarePresentOutputs(g, cache);
  for (const { name, shape } of traceOutputNodes(g, traced, config.num_hidden_layers)) g.output(name, 'float32', shape);
  const stepTop = traceOutputs ? buildStepTop(g, 'logits', config.vocab_size) : [];
  for (const { name, type, shape } of [...lens, ...attribution, ...stepTop]) g.output(name, type, shape);

  return g.toBytes({ model_type: config.model_type, trace_outputs: String(traceOutputs) }, options);
}

/** The token embeddings: the residual stream entering layer 0 (Llama adds no position vectors). */
function embeddings({ g, config, trace }: Context, inputIds: string): string {
  const tokens = g.node('Gather', 'embed.tokens', ['model.embed_tokens.weight', inputIds], {
    attributes: { axis: attr.int(0) },
  });
  const shape = [batch, seq, config.hidden_size];
  trace(embedOutputs.tokens, tokens, shape);
  trace(embedOutputs.sum, tokens, shape);
  return tokens;
}

/**
 * As LlamaRotaryEmbedding: freqs = position_ids (as float) x inv_freq, emb = cat(freqs, freqs), then cos and sin,
 * unsqueezed to [b, 1, s, hd] to broadcast over the heads. sin and cos come from sin-cos.ts, not the Sin/Cos ops.
 */
function rotaryAngles({ g, config }: Context, positionIds: string): Rotation {
  const inverseFrequencies = g.weight('model.rotary_emb.inv_freq', ropeInverseFrequencies(config), [config.head_dim / 2]);
  const positions = g.node('Cast', 'rope.positions', [positionIds], { attributes: { to: attr.int(DataType.FLOAT) } });
  const positionColumn = g.node('Unsqueeze', 'rope.position_column', [positions, g.constant('axes', 'int64', [2])]); // [b, s, 1]
  const freqs = g.node('Mul', 'rope.freqs', [positionColumn, inverseFrequencies]); // [b, s, hd/2]
  const halves = sinCos(g, freqs, 'rope.freqs'); // on hd/2 angles: cat(freqs, freqs) repeats them
  const bothHalves = (value: string, name: string) => {
    const concatenated = g.node('Concat', `${name}.flat`, [value, value], { attributes: { axis: attr.int(2) } }); // [b, s, hd]
    return g.node('Unsqueeze', name, [concatenated, g.constant('axes', 'int64', [1])]);
  };
  return { cos: bothHalves(halves.cos, 'rope.cos'), sin: bothHalves(halves.sin, 'rope.sin') };
}

/**
 * x + o_proj(softmax(mask(q k^T * hd^-0.5)) v), with RoPE on q and on this call's k, and this call's
 * (rotated) keys and values appended to the cache.
 */
function attentionBlock(
  ctx: Context,
  layer: number,
  x: string,
  allowed: string,
  rotation: Rotation,
  pastKey: string,
  pastValue: string,
): string {
  const { g, config } = ctx;
  const { hidden_size: d, num_attention_heads: h, num_key_value_heads: kvh, head_dim: hd } = config;
  const prefix = `model.layers.${layer}`;
  const traceAs = (kind: LayerOutputKind, value: string, shape: Dim[]) =>
    ctx.trace(layerOutput(layer, kind), value, shape);

  const ln1 = rmsNorm(ctx, x, `${prefix}.input_layernorm`);
  const qUnrotated = splitHeads(ctx, linear(ctx, ln1, `${prefix}.self_attn.q_proj`, config.qkv_bias), h, `${prefix}.self_attn.q`);
  const kUnrotated = splitHeads(ctx, linear(ctx, ln1, `${prefix}.self_attn.k_proj`, config.qkv_bias), kvh, `${prefix}.self_attn.k_new`);
  const vNew = splitHeads(ctx, linear(ctx, ln1, `${prefix}.self_attn.v_proj`, config.qkv_bias), kvh, `${prefix}.self_attn.v_new`);
  const q = applyRotation(ctx, qUnrotated, rotation, `${prefix}.self_attn.q_rotated`);
  const kNew = applyRotation(ctx, kUnrotated, rotation, `${prefix}.self_attn.k_rotated`);

  // present = concat(past, new) along the sequence axis: the cache transformers.js feeds back next call.
  const along = { attributes: { axis: attr.int(2) } };
  const kCache = g.node('Concat', `present.${layer}.key`, [pastKey, kNew], along);
  const vCache = g.node('Concat', `present.${layer}.value`, [pastValue, vNew], along);
  const k = repeatKv(ctx, kCache, `${prefix}.self_attn.k_heads`); // [b, h, t, hd]
  const v = repeatKv(ctx, vCache, `${prefix}.self_attn.v_heads`);

  const kT = g.node('Transpose', `${prefix}.self_attn.k_t`, [k], { attributes: { perm: attr.ints([0, 1, 3, 2]) } });
  const qk = g.node('MatMul', `${prefix}.self_attn.qk`, [q, kT]);
  // Hugging Face multiplies by head_dim ** -0.5 (LlamaAttention.scaling).
  const scores = g.node('Mul', `${prefix}.self_attn.scores`, [qk, g.scalar('inverse_sqrt_head_dim', 'float32', hd ** -0.5)]);
  const { maskedScores, probs, context: unmasked } = maskedAttention(g, `${prefix}.self_attn`, scores, allowed, v);
  const context = ctx.knockOut ? maskHeads(g, ctx.knockOut, layer, unmasked, `${prefix}.self_attn`) : unmasked; // a knocked-out head writes nothing
  const oProj = transposedWeight(ctx, `${prefix}.self_attn.o_proj.weight`); // one Transpose for the projection and the attribution
  const out = linear(ctx, mergeHeads(ctx, context, `${prefix}.self_attn.merge_heads`), `${prefix}.self_attn.o_proj`, config.o_bias, oProj);
  ctx.attention.push({ context, projection: oProj, bias: config.o_bias ? `${prefix}.self_attn.o_proj.bias` : null });
  const residual = g.node('Add', `${prefix}.resid.after_attn`, [x, out]);

  traceAs('ln_1', ln1, [batch, seq, d]);
  traceAs('attn.q_unrotated', qUnrotated, [batch, h, seq, hd]);
  // Expanded only for the trace: the slides index keys by query head.
  if (ctx.tracing) traceAs('attn.k_unrotated', repeatKv(ctx, kUnrotated, `${prefix}.self_attn.k_unrotated_heads`), [batch, h, seq, hd]);
  traceAs('attn.q', q, [batch, h, seq, hd]);
  traceAs('attn.k', k, [batch, h, total, hd]);
  traceAs('attn.v', v, [batch, h, total, hd]);
  traceAs('attn.scores', scores, [batch, h, seq, total]);
  traceAs('attn.masked_scores', maskedScores, [batch, h, seq, total]);
  traceAs('attn.probs', probs, [batch, h, seq, total]);
  traceAs('attn.context', context, [batch, h, seq, hd]);
  traceAs('attn.out', out, [batch, seq, d]);
  traceAs('resid.after_attn', residual, [batch, seq, d]);
  return residual;
}

/** x + down_proj(silu(gate_proj(y)) * up_proj(y)) with y = post_attention_layernorm(x): SwiGLU. */
function mlpBlock(ctx: Context, layer: number, x: string): string {
  const { g, config } = ctx;
  const prefix = `model.layers.${layer}`;
  const traceAs = (kind: LayerOutputKind, value: string, width: number) =>
    ctx.trace(layerOutput(layer, kind), value, [batch, seq, width]);

  const ln2 = rmsNorm(ctx, x, `${prefix}.post_attention_layernorm`);
  const gate = linear(ctx, ln2, `${prefix}.mlp.gate_proj`);
  const up = linear(ctx, ln2, `${prefix}.mlp.up_proj`);
  const silu = g.node('Mul', `${prefix}.mlp.silu`, [gate, g.node('Sigmoid', `${prefix}.mlp.sigmoid`, [gate])]);
  const act = g.node('Mul', `${prefix}.mlp.act`, [silu, up]);
  const projected = linear(ctx, act, `${prefix}.mlp.down_proj`);
  const out = ctx.knockOut ? maskMlp(g, ctx.knockOut, layer, projected, prefix) : projected; // a knocked-out MLP adds nothing, bias included
  const residual = g.node('Add', `${prefix}.resid.after_mlp`, [x, out]);

  traceAs('ln_2', ln2, config.hidden_size);
  traceAs('mlp.pre_act', gate, config.intermediate_size);
  traceAs('mlp.act', act, config.intermediate_size);
  traceAs('mlp.out', out, config.hidden_size);
  traceAs('resid.after_mlp', residual, config.hidden_size);
  return residual;
}

/** Final RMSNorm, then logits = norm(x) @ W^T with W = embed_tokens (tied) or the checkpoint's own lm_head; returns W^T (the lens reuses it). */
function lmHead(ctx: Context, x: string): string {
  const { g, config } = ctx;
  const normed = rmsNorm(ctx, x, 'model.norm');
  ctx.trace(finalNormOutput, normed, [batch, seq, config.hidden_size]);
  const head = config.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  const headTransposed = transposedWeight(ctx, head);
  g.node('MatMul', 'lm_head', [normed, headTransposed], { outputs: ['logits'] });
  return headTransposed;
}

// ---- building blocks ----

/** W^T of a weight stored [out, in]: ORT folds the Transpose once at load, and the file keeps HF's layout. */
function transposedWeight({ g }: Context, weight: string): string {
  return g.node('Transpose', `${weight}.transposed`, [weight], { attributes: { perm: attr.ints([1, 0]) } });
}

/** nn.Linear: y = x W^T (+ b when the layer has a bias), W stored [out, in]; `weightT`: W^T already in the graph. */
function linear(ctx: Context, x: string, prefix: string, bias = false, weightT?: string): string {
  const product = ctx.g.node('MatMul', `${prefix}.matmul`, [x, weightT ?? transposedWeight(ctx, `${prefix}.weight`)]);
  return bias ? ctx.g.node('Add', `${prefix}.add_bias`, [product, `${prefix}.bias`]) : product;
}

/** LlamaRMSNorm: weight * x / sqrt(mean(x^2) + eps) over the last axis, from primitive ops (float32 throughout). */
function rmsNorm({ g, config }: Context, x: string, prefix: string): string {
  const square = g.node('Mul', `${prefix}.square`, [x, x]);
  // Opset 17's ReduceMean takes its axes as an attribute (an input only from opset 18).
  const variance = g.node('ReduceMean', `${prefix}.variance`, [square], {
    attributes: { axes: attr.ints([-1]), keepdims: attr.int(1) },
  });
  const epsilon = g.scalar('rms_norm_eps', 'float32', config.rms_norm_eps);
  const rootMeanSquare = g.node('Sqrt', `${prefix}.rms`, [g.node('Add', `${prefix}.variance_eps`, [variance, epsilon])]);
  const normalised = g.node('Mul', `${prefix}.normalised`, [x, g.node('Reciprocal', `${prefix}.inverse_rms`, [rootMeanSquare])]);
  return g.node('Mul', prefix, [normalised, `${prefix}.weight`]);
}

/** q * cos + rotate_half(q) * sin, where rotate_half(x) = cat(-x[hd/2:], x[:hd/2]) (Hugging Face's convention). */
function applyRotation({ g, config }: Context, x: string, rotation: Rotation, name: string): string {
  const half = config.head_dim / 2;
  const [firstHalf, secondHalf] = g.nodeWithOutputs('Split', `${name}.split`, [x, g.constant('rope_halves', 'int64', [half, half])], {
    attributes: { axis: attr.int(3) },
    outputs: [`${name}.first_half`, `${name}.second_half`],
  });
  const negatedSecond = g.node('Neg', `${name}.negated_second_half`, [secondHalf]);
  const rotatedHalf = g.node('Concat', `${name}.rotate_half`, [negatedSecond, firstHalf], { attributes: { axis: attr.int(3) } });
  const cosTerm = g.node('Mul', `${name}.cos_term`, [x, rotation.cos]);
  const sinTerm = g.node('Mul', `${name}.sin_term`, [rotatedHalf, rotation.sin]);
  return g.node('Add', name, [cosTerm, sinTerm]);
}

/** repeat_kv: [b, kvh, t, hd] -> [b, h, t, hd], each key/value head serving h / kvh consecutive query heads. */
function repeatKv({ g, config }: Context, x: string, name: string): string {
  const groupSize = config.num_attention_heads / config.num_key_value_heads;
  if (groupSize === 1) return x;
  const withGroupAxis = g.node('Unsqueeze', `${name}.unsqueeze`, [x, g.constant('axes', 'int64', [2])]); // [b, kvh, 1, t, hd]
  // Expand broadcasts: only the group axis grows.
  const expanded = g.node('Expand', `${name}.expand`, [withGroupAxis, g.constant('group_shape', 'int64', [1, 1, groupSize, 1, 1])]);
  const shape = g.constant('query_heads_shape', 'int64', [0, config.num_attention_heads, -1, config.head_dim]); // 0 keeps b
  return g.node('Reshape', `${name}.reshape`, [expanded, shape]);
}

/** [b, s, heads * hd] -> [b, heads, s, hd] */
function splitHeads({ g, config }: Context, x: string, heads: number, name: string): string {
  const shape = g.constant('heads_shape', 'int64', [0, 0, heads, config.head_dim]); // 0 keeps that dim
  const reshaped = g.node('Reshape', `${name}.reshape`, [x, shape]);
  return g.node('Transpose', `${name}.transpose`, [reshaped], { attributes: { perm: attr.ints([0, 2, 1, 3]) } });
}

/** [b, h, s, hd] -> [b, s, h * hd] */
function mergeHeads({ g, config }: Context, x: string, name: string): string {
  const transposed = g.node('Transpose', `${name}.transpose`, [x], { attributes: { perm: attr.ints([0, 2, 1, 3]) } });
  const width = config.num_attention_heads * config.head_dim;
  return g.node('Reshape', `${name}.reshape`, [transposed, g.constant('merged_shape', 'int64', [0, 0, width])]);
}
