// Builds the ONNX graph of a GPT-2 forward pass with a KV cache, reading top to bottom like nanoGPT.
// Parameters keep their Hugging Face names; every intermediate named in src/trace/output-names.ts can be exposed.
import type { Gpt2Config, Gpt2Weights } from './gpt2-checkpoint';
import { attentionAllowed, batch, declareDecoderInputs, declarePresentOutputs, logitsLogSumExp, maskedAttention, seq, total } from './decoder-graph';
import { buildLogitLens } from './logit-lens-graph';
import { declareLensSwitch, declareStepTopSwitch, declareTraceSwitch } from './trace-branch-graph';
import { buildStepTop } from './step-top-graph';
import { traceOutputNodes, tracedValue, type TracedValue } from './stacked-trace-graph';
import { buildAttributionOutputs } from './attribution-graph';
import { declareKnockOutInputs, maskHeads, maskMlp, type KnockOutInputs } from './knock-out-graph';
import { attr, GraphBuilder, type Dim, type OnnxWriteOptions } from './onnx-writer';
import { embedOutputs, finalNormOutput, layerOutput, logitsLogSumExpOutput, type LayerOutputKind } from '../trace/output-names';

export interface Gpt2GraphOptions extends OnnxWriteOptions {
  /** Expose the trace.* intermediates as extra outputs (default true); false gives a plain baseline graph. */
  traceOutputs?: boolean;
  /** Add the knock-out inputs head_mask [layers, heads] and mlp_mask [layers] (see knock-out-graph.ts). */
  knockOut?: boolean;
}

/** What every part of the graph needs: the builder, the sizes, and a way to expose intermediates. */
interface Context {
  g: GraphBuilder;
  config: Gpt2Config;
  headDim: number;
  /** Exposes `value` as the trace output `name` (no-op for a plain graph). */
  trace: (name: string, value: string, shape: Dim[]) => void;
  /** The knock-out masks, when the graph has them. */
  knockOut?: KnockOutInputs;
  /** Each layer's head contexts as the output projection reads them, and that projection (for attribution-graph.ts). */
  attention: { context: string; projection: string; bias: string | null }[];
}

export function buildGpt2Graph(config: Gpt2Config, weights: Gpt2Weights, options: Gpt2GraphOptions = {}): Uint8Array {
  const traceOutputs = options.traceOutputs ?? true;
  const g = new GraphBuilder('gpt2');
  const traced: TracedValue[] = [];
  const ctx: Context = {
    g,
    config,
    headDim: config.n_embd / config.n_head,
    trace: (name, value, shape) => {
      if (!traceOutputs) return;
      traced.push({ name, value, shape }); // given its output by traceOutputNodes, once every layer is built
    },
    attention: [],
  };

  const cache = { layers: config.n_layer, heads: config.n_head, headDim: ctx.headDim };
  const inputs = declareDecoderInputs(g, cache);
  if (options.knockOut) ctx.knockOut = declareKnockOutInputs(g, config.n_layer, config.n_head);
  if (traceOutputs) {
    declareStepTopSwitch(g); // first: the trace switch takes every output the step's and the lens's do not
    declareLensSwitch(g);
    declareTraceSwitch(g);
  }
  for (const [name, weight] of weights) g.weight(name, () => weight.data, weight.shape); // read when written

  const allowed = attentionAllowed(g, inputs.inputIds, inputs.attentionMask);
  let x = embeddings(ctx, inputs.inputIds, inputs.positionIds);
  for (let layer = 0; layer < config.n_layer; layer++) {
    x = attentionBlock(ctx, layer, x, allowed, inputs.pastKeys[layer], inputs.pastValues[layer]);
    x = mlpBlock(ctx, layer, x);
  }
  const headTransposed = lmHead(ctx, x);
  if (traceOutputs) ctx.trace(logitsLogSumExpOutput, logitsLogSumExp(g, 'logits'), [batch, seq]); // the log-probabilities' denominators
  const lens = traceOutputs
    ? buildLogitLens({ g, nLayer: config.n_layer, finalNorm: (value) => layerNorm(ctx, value, 'transformer.ln_f'), headTransposed, logits: 'logits', valueOf: tracedValue(traced), vocabSize: config.vocab_size })
    : [];
  const attribution = traceOutputs
    ? buildAttributionOutputs({
        g, heads: config.n_head, headDim: ctx.headDim, width: config.n_embd, head: config.tie_word_embeddings ? 'transformer.wte.weight' : 'lm_head.weight', logits: 'logits',
        contexts: ctx.attention.map((a) => a.context), projections: ctx.attention.map((a) => a.projection), biases: ctx.attention.map((a) => a.bias),
        finalNormGain: 'transformer.ln_f.weight', finalNormBias: 'transformer.ln_f.bias',
      })
    : [];

  // Outputs: logits, the grown cache, then the trace outputs in forward-pass order, the logit lens, the attribution's, a step's top 5.
  g.output('logits', 'float32', [batch, seq, config.vocab_size]);
  declarePresentOutputs(g, cache);
  for (const { name, shape } of traceOutputNodes(g, traced, config.n_layer)) g.output(name, 'float32', shape);
  const stepTop = traceOutputs ? buildStepTop(g, 'logits', config.vocab_size) : [];
  for (const { name, type, shape } of [...lens, ...attribution, ...stepTop]) g.output(name, type, shape);

  return g.toBytes({ model_type: 'gpt2', trace_outputs: String(traceOutputs) }, options);
}

/** Token embedding + position embedding: the residual stream entering layer 0. */
function embeddings({ g, config, trace }: Context, inputIds: string, positionIds: string): string {
  const rows = { attributes: { axis: attr.int(0) } };
  const tokens = g.node('Gather', 'embed.tokens', ['transformer.wte.weight', inputIds], rows);
  const positions = g.node('Gather', 'embed.positions', ['transformer.wpe.weight', positionIds], rows);
  const sum = g.node('Add', 'embed.sum', [tokens, positions]);
  const shape = [batch, seq, config.n_embd];
  trace(embedOutputs.tokens, tokens, shape);
  trace(embedOutputs.positions, positions, shape);
  trace(embedOutputs.sum, sum, shape);
  return sum;
}

/** x + c_proj(softmax(mask(q k^T / sqrt(hd))) v), with this call's keys and values appended to the cache. */
function attentionBlock(
  ctx: Context,
  layer: number,
  x: string,
  allowed: string,
  pastKey: string,
  pastValue: string,
): string {
  const { g, config, headDim } = ctx;
  const d = config.n_embd;
  const prefix = `transformer.h.${layer}`;
  const traceAs = (kind: LayerOutputKind, value: string, shape: Dim[]) =>
    ctx.trace(layerOutput(layer, kind), value, shape);

  const ln1 = layerNorm(ctx, x, `${prefix}.ln_1`);
  const qkv = linear(ctx, ln1, `${prefix}.attn.c_attn`); // [b, s, 3d]
  const sizes = g.constant('qkv_split', 'int64', [d, d, d]);
  const [qFlat, kFlat, vFlat] = g.nodeWithOutputs('Split', `${prefix}.attn.split`, [qkv, sizes], {
    attributes: { axis: attr.int(2) },
    outputs: [`${prefix}.attn.q_flat`, `${prefix}.attn.k_flat`, `${prefix}.attn.v_flat`],
  });
  const q = splitHeads(ctx, qFlat, `${prefix}.attn.q`);
  // present = concat(past, new) along the sequence axis: the cache transformers.js feeds back next call.
  const along = { attributes: { axis: attr.int(2) } };
  const k = g.node('Concat', `present.${layer}.key`, [pastKey, splitHeads(ctx, kFlat, `${prefix}.attn.k_new`)], along);
  const v = g.node('Concat', `present.${layer}.value`, [pastValue, splitHeads(ctx, vFlat, `${prefix}.attn.v_new`)], along);

  const kT = g.node('Transpose', `${prefix}.attn.k_t`, [k], { attributes: { perm: attr.ints([0, 1, 3, 2]) } });
  const qk = g.node('MatMul', `${prefix}.attn.qk`, [q, kT]);
  const scores = g.node('Div', `${prefix}.attn.scores`, [qk, g.scalar('sqrt_head_dim', 'float32', Math.sqrt(headDim))]);
  const { maskedScores, probs, context: unmasked } = maskedAttention(g, `${prefix}.attn`, scores, allowed, v);
  const context = ctx.knockOut ? maskHeads(g, ctx.knockOut, layer, unmasked, `${prefix}.attn`) : unmasked; // a knocked-out head writes nothing
  const out = linear(ctx, mergeHeads(ctx, context, `${prefix}.attn.merge_heads`), `${prefix}.attn.c_proj`);
  ctx.attention.push({ context, projection: `${prefix}.attn.c_proj.weight`, bias: `${prefix}.attn.c_proj.bias` });
  const residual = g.node('Add', `${prefix}.resid.after_attn`, [x, out]);

  const h = config.n_head;
  traceAs('ln_1', ln1, [batch, seq, d]);
  traceAs('attn.q', q, [batch, h, seq, headDim]);
  traceAs('attn.k', k, [batch, h, total, headDim]);
  traceAs('attn.v', v, [batch, h, total, headDim]);
  traceAs('attn.scores', scores, [batch, h, seq, total]);
  traceAs('attn.masked_scores', maskedScores, [batch, h, seq, total]);
  traceAs('attn.probs', probs, [batch, h, seq, total]);
  traceAs('attn.context', context, [batch, h, seq, headDim]);
  traceAs('attn.out', out, [batch, seq, d]);
  traceAs('resid.after_attn', residual, [batch, seq, d]);
  return residual;
}

/** x + c_proj(gelu(c_fc(ln_2(x)))) */
function mlpBlock(ctx: Context, layer: number, x: string): string {
  const { g, config } = ctx;
  const prefix = `transformer.h.${layer}`;
  const traceAs = (kind: LayerOutputKind, value: string, width: number) =>
    ctx.trace(layerOutput(layer, kind), value, [batch, seq, width]);

  const ln2 = layerNorm(ctx, x, `${prefix}.ln_2`);
  const preAct = linear(ctx, ln2, `${prefix}.mlp.c_fc`);
  const act = gelu(ctx, preAct, `${prefix}.mlp.gelu`);
  const projected = linear(ctx, act, `${prefix}.mlp.c_proj`);
  const out = ctx.knockOut ? maskMlp(g, ctx.knockOut, layer, projected, prefix) : projected; // a knocked-out MLP adds nothing, bias included
  const residual = g.node('Add', `${prefix}.resid.after_mlp`, [x, out]);

  traceAs('ln_2', ln2, config.n_embd);
  traceAs('mlp.pre_act', preAct, config.n_inner);
  traceAs('mlp.act', act, config.n_inner);
  traceAs('mlp.out', out, config.n_embd);
  traceAs('resid.after_mlp', residual, config.n_embd);
  return residual;
}

/** Final LayerNorm, then logits = ln_f(x) @ W^T with W = wte (tied) or the checkpoint's own lm_head; returns W^T (the lens reuses it). */
function lmHead(ctx: Context, x: string): string {
  const { g, config } = ctx;
  const lnF = layerNorm(ctx, x, 'transformer.ln_f');
  ctx.trace(finalNormOutput, lnF, [batch, seq, config.n_embd]);
  const head = config.tie_word_embeddings ? 'transformer.wte.weight' : 'lm_head.weight';
  // A Transpose of a weight: ORT folds it once at load, and the file stores wte only once.
  const headT = g.node('Transpose', 'lm_head.transposed', [head], { attributes: { perm: attr.ints([1, 0]) } }); // [d, V]
  g.node('MatMul', 'lm_head', [lnF, headT], { outputs: ['logits'] });
  return headT;
}

// ---- building blocks ----

/** Conv1D as in Hugging Face GPT-2: y = x @ W + b, with W stored [in, out]. */
function linear({ g }: Context, x: string, prefix: string): string {
  const product = g.node('MatMul', `${prefix}.matmul`, [x, `${prefix}.weight`]);
  return g.node('Add', `${prefix}.add`, [product, `${prefix}.bias`]);
}

/** LayerNorm over the last axis (the LayerNormalization op of opset 17). */
function layerNorm({ g, config }: Context, x: string, prefix: string): string {
  return g.node('LayerNormalization', prefix, [x, `${prefix}.weight`, `${prefix}.bias`], {
    attributes: { axis: attr.int(-1), epsilon: attr.float(config.layer_norm_epsilon) },
  });
}

/** gelu_new: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))), from primitives every EP has. */
function gelu({ g }: Context, x: string, prefix: string): string {
  const constant = (name: string, value: number) => g.scalar(name, 'float32', value);
  const cube = g.node('Mul', `${prefix}.cube`, [g.node('Mul', `${prefix}.square`, [x, x]), x]);
  const cubicTerm = g.node('Mul', `${prefix}.cubic_term`, [cube, constant('gelu_coefficient', 0.044715)]);
  const inner = g.node('Add', `${prefix}.inner`, [x, cubicTerm]);
  const scaled = g.node('Mul', `${prefix}.scaled`, [inner, constant('sqrt_2_over_pi', Math.sqrt(2 / Math.PI))]);
  const tanh = g.node('Tanh', `${prefix}.tanh`, [scaled]);
  const onePlusTanh = g.node('Add', `${prefix}.one_plus_tanh`, [tanh, constant('one', 1)]);
  const halfX = g.node('Mul', `${prefix}.half_x`, [x, constant('half', 0.5)]);
  return g.node('Mul', `${prefix}.out`, [halfX, onePlusTanh]);
}

/** [b, s, d] -> [b, h, s, hd] */
function splitHeads({ g, config, headDim }: Context, x: string, name: string): string {
  const shape = g.constant('heads_shape', 'int64', [0, 0, config.n_head, headDim]); // 0 keeps that dim
  const reshaped = g.node('Reshape', `${name}.reshape`, [x, shape]);
  return g.node('Transpose', `${name}.transpose`, [reshaped], { attributes: { perm: attr.ints([0, 2, 1, 3]) } });
}

/** [b, h, s, hd] -> [b, s, d] */
function mergeHeads({ g, config }: Context, x: string, name: string): string {
  const transposed = g.node('Transpose', `${name}.transpose`, [x], { attributes: { perm: attr.ints([0, 2, 1, 3]) } });
  return g.node('Reshape', `${name}.reshape`, [transposed, g.constant('merged_shape', 'int64', [0, 0, config.n_embd])]);
}
