// Builds the ONNX graph of a GPT-2 forward pass with a KV cache, reading top to bottom like nanoGPT.
// Parameters keep their Hugging Face names; every intermediate named in output-names.ts can be exposed.
import type { Gpt2Config, Gpt2Weights } from './gpt2-checkpoint';
import { attr, GraphBuilder, type Dim } from './onnx-writer';
import {
  embedOutputs,
  finalNormOutput,
  layerOutput,
  layerOutputKinds,
  type LayerOutputKind,
} from './output-names';

export interface Gpt2GraphOptions {
  /** Expose the trace.* intermediates as extra outputs (default true); false gives a plain baseline graph. */
  traceOutputs?: boolean;
}

// Symbolic dimensions, named as transformers.js and optimum exports name them.
const batch = 'batch_size';
const seq = 'sequence_length';
const past = 'past_sequence_length';
const total = 'total_sequence_length';

// Masked attention scores hold the most negative float32, as Hugging Face does (not -inf: no NaN rows).
const FLOAT32_MIN = -3.4028234663852886e38;

export function buildGpt2Graph(config: Gpt2Config, weights: Gpt2Weights, options: Gpt2GraphOptions = {}): Uint8Array {
  const traceOutputs = options.traceOutputs ?? true;
  const { n_embd: d, n_head: h, n_layer, vocab_size: V, n_inner: f } = config;
  const hd = d / h;
  const g = new GraphBuilder('gpt2');

  // Declared output shapes of the trace outputs (see output-names.ts).
  const traceShapes: Record<LayerOutputKind, Dim[]> = {
    ln_1: [batch, seq, d],
    'attn.q': [batch, h, seq, hd],
    'attn.k': [batch, h, total, hd],
    'attn.v': [batch, h, total, hd],
    'attn.scores': [batch, h, seq, total],
    'attn.masked_scores': [batch, h, seq, total],
    'attn.probs': [batch, h, seq, total],
    'attn.context': [batch, h, seq, hd],
    'attn.out': [batch, seq, d],
    'resid.after_attn': [batch, seq, d],
    ln_2: [batch, seq, d],
    'mlp.pre_act': [batch, seq, f],
    'mlp.act': [batch, seq, f],
    'mlp.out': [batch, seq, d],
    'resid.after_mlp': [batch, seq, d],
  };
  if (layerOutputKinds.length !== Object.keys(traceShapes).length) throw new Error('trace shapes out of date');

  // Copies an intermediate to a named graph output (Identity: one value cannot carry two names).
  const traced: { name: string; shape: Dim[] }[] = [];
  const trace = (name: string, value: string, shape: Dim[]) => {
    if (!traceOutputs) return;
    g.node('Identity', name, [value], { outputs: [name] });
    traced.push({ name, shape });
  };
  const traceLayer = (layer: number, kind: LayerOutputKind, value: string) =>
    trace(layerOutput(layer, kind), value, traceShapes[kind]);

  // ---- inputs (the names transformers.js feeds a decoder-only model) ----
  const inputIds = g.input('input_ids', 'int64', [batch, seq]);
  const attentionMask = g.input('attention_mask', 'int64', [batch, total]);
  const positionIds = g.input('position_ids', 'int64', [batch, seq]);
  const pastKeys: string[] = [];
  const pastValues: string[] = [];
  for (let layer = 0; layer < n_layer; layer++) {
    // Heads and head_dim are numbers: transformers.js sizes the empty first-call cache from these dims.
    pastKeys.push(g.input(`past_key_values.${layer}.key`, 'float32', [batch, h, past, hd]));
    pastValues.push(g.input(`past_key_values.${layer}.value`, 'float32', [batch, h, past, hd]));
  }

  // ---- parameters, under their Hugging Face names ----
  for (const [name, { data, shape }] of weights) g.weight(name, data, shape);

  // ---- building blocks ----
  const int64s = (hint: string, values: number[]) => g.constant(hint, 'int64', values);
  const floatScalar = (hint: string, value: number) => g.scalar(hint, 'float32', value);

  // Conv1D as in Hugging Face GPT-2: y = x @ W + b, W stored [in, out].
  const linear = (x: string, prefix: string) =>
    g.node('Add', `${prefix}.add`, [g.node('MatMul', `${prefix}.matmul`, [x, `${prefix}.weight`]), `${prefix}.bias`]);

  const layerNorm = (x: string, prefix: string) =>
    g.node('LayerNormalization', prefix, [x, `${prefix}.weight`, `${prefix}.bias`], {
      attributes: { axis: attr.int(-1), epsilon: attr.float(config.layer_norm_epsilon) },
    });

  // gelu_new: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))), from primitives every EP has.
  const gelu = (x: string, prefix: string) => {
    const cube = g.node('Mul', `${prefix}.cube`, [g.node('Mul', `${prefix}.square`, [x, x]), x]);
    const inner = g.node('Add', `${prefix}.inner`, [x, g.node('Mul', `${prefix}.cubic_term`, [cube, floatScalar('gelu_coeff', 0.044715)])]);
    const scaled = g.node('Mul', `${prefix}.scaled`, [inner, floatScalar('sqrt_2_over_pi', Math.sqrt(2 / Math.PI))]);
    const onePlusTanh = g.node('Add', `${prefix}.one_plus_tanh`, [g.node('Tanh', `${prefix}.tanh`, [scaled]), floatScalar('one', 1)]);
    return g.node('Mul', `${prefix}.out`, [g.node('Mul', `${prefix}.half_x`, [x, floatScalar('half', 0.5)]), onePlusTanh]);
  };

  // [b, s, d] -> [b, h, s, hd]
  const splitHeads = (x: string, name: string) =>
    g.node('Transpose', `${name}.transpose`, [g.node('Reshape', `${name}.reshape`, [x, int64s('heads_shape', [0, 0, h, hd])])], {
      attributes: { perm: attr.ints([0, 2, 1, 3]) },
    });

  // [b, h, s, hd] -> [b, s, d]
  const mergeHeads = (x: string, name: string) =>
    g.node('Reshape', `${name}.reshape`, [
      g.node('Transpose', `${name}.transpose`, [x], { attributes: { perm: attr.ints([0, 2, 1, 3]) } }),
      int64s('merged_shape', [0, 0, d]),
    ]);

  // ---- the attention mask, shared by all layers ----
  // Query i (absolute position past+i) may see key j iff j <= past+i and attention_mask[j] == 1.
  const scalarDim = (x: string, axis: number, name: string) =>
    g.node('Gather', name, [g.node('Shape', `${name}.shape`, [x]), g.scalar('index', 'int64', axis)], {
      attributes: { axis: attr.int(0) },
    });
  const seqLength = scalarDim(inputIds, 1, 'mask.sequence_length');
  const totalLength = scalarDim(attentionMask, 1, 'mask.total_sequence_length');
  const pastLength = g.node('Sub', 'mask.past_sequence_length', [totalLength, seqLength]);
  const step = g.scalar('one_i64', 'int64', 1);
  const queryPositions = g.node('Range', 'mask.query_positions', [pastLength, totalLength, step]); // [s]
  const keyPositions = g.node('Range', 'mask.key_positions', [g.scalar('zero_i64', 'int64', 0), totalLength, step]); // [t]
  const queryColumn = g.node('Unsqueeze', 'mask.query_column', [queryPositions, int64s('axes', [1])]); // [s, 1]
  const causal = g.node('LessOrEqual', 'mask.causal', [keyPositions, queryColumn]); // [s, t]
  const keyIsToken = g.node('Cast', 'mask.key_is_token', [attentionMask], { attributes: { to: attr.int(9 /* BOOL */) } });
  const keyIsTokenRow = g.node('Unsqueeze', 'mask.key_is_token_row', [keyIsToken, int64s('axes', [1, 2])]); // [b, 1, 1, t]
  const allowed = g.node('And', 'mask.allowed', [causal, keyIsTokenRow]); // [b, 1, s, t]
  const maskedValue = floatScalar('float32_min', FLOAT32_MIN);
  const scale = floatScalar('sqrt_head_dim', Math.sqrt(hd));

  // ---- embeddings ----
  const tokens = g.node('Gather', 'embed.tokens', ['transformer.wte.weight', inputIds], { attributes: { axis: attr.int(0) } });
  const positions = g.node('Gather', 'embed.positions', ['transformer.wpe.weight', positionIds], { attributes: { axis: attr.int(0) } });
  let x = g.node('Add', 'embed.sum', [tokens, positions]);
  trace(embedOutputs.tokens, tokens, [batch, seq, d]);
  trace(embedOutputs.positions, positions, [batch, seq, d]);
  trace(embedOutputs.sum, x, [batch, seq, d]);

  // ---- transformer blocks ----
  for (let layer = 0; layer < n_layer; layer++) {
    const prefix = `transformer.h.${layer}`;

    // attention: x = x + c_proj(softmax(mask(q k^T / sqrt(hd))) v)
    const ln1 = layerNorm(x, `${prefix}.ln_1`);
    traceLayer(layer, 'ln_1', ln1);
    const qkv = linear(ln1, `${prefix}.attn.c_attn`); // [b, s, 3d]
    const [qFlat, kFlat, vFlat] = g.nodeWithOutputs('Split', `${prefix}.attn.split`, [qkv, int64s('qkv_split', [d, d, d])], {
      attributes: { axis: attr.int(2) },
      outputs: [`${prefix}.attn.q_flat`, `${prefix}.attn.k_flat`, `${prefix}.attn.v_flat`],
    });
    const q = splitHeads(qFlat, `${prefix}.attn.q`);
    // The cache grows by this call's keys and values: present = concat(past, new).
    const k = g.node('Concat', `present.${layer}.key`, [pastKeys[layer], splitHeads(kFlat, `${prefix}.attn.k_new`)], {
      attributes: { axis: attr.int(2) },
    });
    const v = g.node('Concat', `present.${layer}.value`, [pastValues[layer], splitHeads(vFlat, `${prefix}.attn.v_new`)], {
      attributes: { axis: attr.int(2) },
    });
    traceLayer(layer, 'attn.q', q);
    traceLayer(layer, 'attn.k', k);
    traceLayer(layer, 'attn.v', v);

    const kT = g.node('Transpose', `${prefix}.attn.k_transposed`, [k], { attributes: { perm: attr.ints([0, 1, 3, 2]) } });
    const scores = g.node('Div', `${prefix}.attn.scores`, [g.node('MatMul', `${prefix}.attn.qk`, [q, kT]), scale]);
    const maskedScores = g.node('Where', `${prefix}.attn.masked_scores`, [allowed, scores, maskedValue]);
    const probs = g.node('Softmax', `${prefix}.attn.probs`, [maskedScores], { attributes: { axis: attr.int(-1) } });
    const context = g.node('MatMul', `${prefix}.attn.context`, [probs, v]); // [b, h, s, hd]
    const attnOut = linear(mergeHeads(context, `${prefix}.attn.merge_heads`), `${prefix}.attn.c_proj`);
    traceLayer(layer, 'attn.scores', scores);
    traceLayer(layer, 'attn.masked_scores', maskedScores);
    traceLayer(layer, 'attn.probs', probs);
    traceLayer(layer, 'attn.context', context);
    traceLayer(layer, 'attn.out', attnOut);
    x = g.node('Add', `${prefix}.resid.after_attn`, [x, attnOut]);
    traceLayer(layer, 'resid.after_attn', x);

    // MLP: x = x + c_proj(gelu(c_fc(ln_2(x))))
    const ln2 = layerNorm(x, `${prefix}.ln_2`);
    const preAct = linear(ln2, `${prefix}.mlp.c_fc`);
    const act = gelu(preAct, `${prefix}.mlp.gelu`);
    const mlpOut = linear(act, `${prefix}.mlp.c_proj`);
    traceLayer(layer, 'ln_2', ln2);
    traceLayer(layer, 'mlp.pre_act', preAct);
    traceLayer(layer, 'mlp.act', act);
    traceLayer(layer, 'mlp.out', mlpOut);
    x = g.node('Add', `${prefix}.resid.after_mlp`, [x, mlpOut]);
    traceLayer(layer, 'resid.after_mlp', x);
  }

  // ---- final norm and LM head (tied to wte unless the checkpoint has its own lm_head) ----
  const lnF = layerNorm(x, 'transformer.ln_f');
  trace(finalNormOutput, lnF, [batch, seq, d]);
  const head = config.tie_word_embeddings ? 'transformer.wte.weight' : 'lm_head.weight';
  const headT = g.node('Transpose', 'lm_head.transposed', [head], { attributes: { perm: attr.ints([1, 0]) } }); // [d, V]
  g.node('MatMul', 'lm_head', [lnF, headT], { outputs: ['logits'] });

  // ---- outputs: logits, the grown cache, then the trace outputs in forward-pass order ----
  g.output('logits', 'float32', [batch, seq, V]);
  for (let layer = 0; layer < n_layer; layer++) {
    g.output(`present.${layer}.key`, 'float32', [batch, h, total, hd]);
    g.output(`present.${layer}.value`, 'float32', [batch, h, total, hd]);
  }
  for (const { name, shape } of traced) g.output(name, 'float32', shape);

  return g.toBytes({ model_type: 'gpt2', trace_outputs: String(traceOutputs) });
}
