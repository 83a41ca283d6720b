// An independent GPT-2 forward pass in plain TypeScript with Float64Array (no ONNX), written by hand
// from the Hugging Face GPT2LMHeadModel definition. It returns the logits and every intermediate under
// the trace.* names of src/trace/output-names.ts, so tests can compare the converted graph entry by entry.
import { embedOutputs, finalNormOutput, layerOutput } from '../../src/trace/output-names';

export interface Tensor64 {
  dims: number[];
  data: Float64Array;
}

export interface ReferenceInputs {
  /** [batch][sequence] token ids. */
  inputIds: number[][];
  /** [batch][sequence] 1 for tokens, 0 for padding. */
  attentionMask: number[][];
  /** [batch][sequence] position of each token. */
  positionIds: number[][];
}

export interface ReferenceOutputs {
  logits: Tensor64;
  /** trace.* name -> tensor. */
  trace: Map<string, Tensor64>;
}

type Parameters = Map<string, { shape: number[]; data: Float32Array }>;

/** What a masked attention score holds (the most negative float32), as in the converted graph. */
export const FLOAT32_MIN = -3.4028234663852886e38;

/** rows x inDim times W [inDim, outDim] plus bias: Hugging Face Conv1D. */
function conv1d(x: Float64Array, rows: number, W: Float32Array, bias: Float32Array, inDim: number, outDim: number) {
  const y = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outDim; o++) {
      let sum = bias[o];
      for (let i = 0; i < inDim; i++) sum += x[r * inDim + i] * W[i * outDim + o];
      y[r * outDim + o] = sum;
    }
  }
  return y;
}

function layerNorm(x: Float64Array, rows: number, dim: number, weight: Float32Array, bias: Float32Array, eps: number) {
  const y = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let i = 0; i < dim; i++) mean += x[r * dim + i];
    mean /= dim;
    let variance = 0;
    for (let i = 0; i < dim; i++) variance += (x[r * dim + i] - mean) ** 2;
    variance /= dim;
    const inverseStd = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < dim; i++) y[r * dim + i] = (x[r * dim + i] - mean) * inverseStd * weight[i] + bias[i];
  }
  return y;
}

function geluNew(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

export function referenceGpt2Forward(
  config: Record<string, unknown>,
  parameters: Parameters,
  inputs: ReferenceInputs,
): ReferenceOutputs {
  const d = config.n_embd as number;
  const nHead = config.n_head as number;
  const nLayer = config.n_layer as number;
  const vocab = config.vocab_size as number;
  const eps = (config.layer_norm_epsilon as number | undefined) ?? 1e-5;
  const hd = d / nHead;
  const f = 4 * d;
  const B = inputs.inputIds.length;
  const T = inputs.inputIds[0].length;
  const rows = B * T;
  const w = (name: string) => {
    const parameter = parameters.get(name);
    if (!parameter) throw new Error(`reference: no parameter ${name}`);
    return parameter.data;
  };
  const trace = new Map<string, Tensor64>();
  const record = (name: string, dims: number[], data: Float64Array) => trace.set(name, { dims, data });

  // Embeddings.
  const tokens = new Float64Array(rows * d);
  const positions = new Float64Array(rows * d);
  const wte = w('transformer.wte.weight');
  const wpe = w('transformer.wpe.weight');
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      for (let i = 0; i < d; i++) {
        tokens[row * d + i] = wte[inputs.inputIds[b][t] * d + i];
        positions[row * d + i] = wpe[inputs.positionIds[b][t] * d + i];
      }
    }
  }
  let x = tokens.map((value, i) => value + positions[i]);
  record(embedOutputs.tokens, [B, T, d], tokens);
  record(embedOutputs.positions, [B, T, d], positions);
  record(embedOutputs.sum, [B, T, d], x);

  for (let layer = 0; layer < nLayer; layer++) {
    const p = `transformer.h.${layer}`;
    const ln1 = layerNorm(x, rows, d, w(`${p}.ln_1.weight`), w(`${p}.ln_1.bias`), eps);
    const qkv = conv1d(ln1, rows, w(`${p}.attn.c_attn.weight`), w(`${p}.attn.c_attn.bias`), d, 3 * d);

    // Split into heads: [B, h, T, hd]; q, k, v are columns [0,d), [d,2d), [2d,3d) of qkv.
    const q = new Float64Array(B * nHead * T * hd);
    const k = new Float64Array(B * nHead * T * hd);
    const v = new Float64Array(B * nHead * T * hd);
    for (let b = 0; b < B; b++)
      for (let head = 0; head < nHead; head++)
        for (let t = 0; t < T; t++)
          for (let i = 0; i < hd; i++) {
            const src = (b * T + t) * 3 * d + head * hd + i;
            const dst = ((b * nHead + head) * T + t) * hd + i;
            q[dst] = qkv[src];
            k[dst] = qkv[src + d];
            v[dst] = qkv[src + 2 * d];
          }

    // Scores, causal + padding mask, softmax, weighted sum of values.
    const scores = new Float64Array(B * nHead * T * T);
    const masked = new Float64Array(B * nHead * T * T);
    const probs = new Float64Array(B * nHead * T * T);
    const context = new Float64Array(B * nHead * T * hd);
    for (let b = 0; b < B; b++)
      for (let head = 0; head < nHead; head++)
        for (let i = 0; i < T; i++) {
          const rowStart = ((b * nHead + head) * T + i) * T;
          let max = -Infinity;
          for (let j = 0; j < T; j++) {
            let dot = 0;
            for (let c = 0; c < hd; c++) dot += q[((b * nHead + head) * T + i) * hd + c] * k[((b * nHead + head) * T + j) * hd + c];
            scores[rowStart + j] = dot / Math.sqrt(hd);
            const visible = j <= i && inputs.attentionMask[b][j] === 1;
            masked[rowStart + j] = visible ? scores[rowStart + j] : FLOAT32_MIN;
            max = Math.max(max, masked[rowStart + j]);
          }
          let total = 0;
          for (let j = 0; j < T; j++) total += probs[rowStart + j] = Math.exp(masked[rowStart + j] - max);
          for (let j = 0; j < T; j++) probs[rowStart + j] /= total;
          for (let c = 0; c < hd; c++) {
            let sum = 0;
            for (let j = 0; j < T; j++) sum += probs[rowStart + j] * v[((b * nHead + head) * T + j) * hd + c];
            context[((b * nHead + head) * T + i) * hd + c] = sum;
          }
        }

    // Merge heads back to [B, T, d] and project.
    const merged = new Float64Array(rows * d);
    for (let b = 0; b < B; b++)
      for (let head = 0; head < nHead; head++)
        for (let t = 0; t < T; t++)
          for (let i = 0; i < hd; i++) merged[(b * T + t) * d + head * hd + i] = context[((b * nHead + head) * T + t) * hd + i];
    const attnOut = conv1d(merged, rows, w(`${p}.attn.c_proj.weight`), w(`${p}.attn.c_proj.bias`), d, d);
    const afterAttn = x.map((value, i) => value + attnOut[i]);

    // MLP.
    const ln2 = layerNorm(afterAttn, rows, d, w(`${p}.ln_2.weight`), w(`${p}.ln_2.bias`), eps);
    const preAct = conv1d(ln2, rows, w(`${p}.mlp.c_fc.weight`), w(`${p}.mlp.c_fc.bias`), d, f);
    const act = preAct.map(geluNew);
    const mlpOut = conv1d(act, rows, w(`${p}.mlp.c_proj.weight`), w(`${p}.mlp.c_proj.bias`), f, d);
    const afterMlp = afterAttn.map((value, i) => value + mlpOut[i]);

    record(layerOutput(layer, 'ln_1'), [B, T, d], ln1);
    record(layerOutput(layer, 'attn.q'), [B, nHead, T, hd], q);
    record(layerOutput(layer, 'attn.k'), [B, nHead, T, hd], k);
    record(layerOutput(layer, 'attn.v'), [B, nHead, T, hd], v);
    record(layerOutput(layer, 'attn.scores'), [B, nHead, T, T], scores);
    record(layerOutput(layer, 'attn.masked_scores'), [B, nHead, T, T], masked);
    record(layerOutput(layer, 'attn.probs'), [B, nHead, T, T], probs);
    record(layerOutput(layer, 'attn.context'), [B, nHead, T, hd], context);
    record(layerOutput(layer, 'attn.out'), [B, T, d], attnOut);
    record(layerOutput(layer, 'resid.after_attn'), [B, T, d], afterAttn);
    record(layerOutput(layer, 'ln_2'), [B, T, d], ln2);
    record(layerOutput(layer, 'mlp.pre_act'), [B, T, f], preAct);
    record(layerOutput(layer, 'mlp.act'), [B, T, f], act);
    record(layerOutput(layer, 'mlp.out'), [B, T, d], mlpOut);
    record(layerOutput(layer, 'resid.after_mlp'), [B, T, d], afterMlp);
    x = afterMlp;
  }

  const lnF = layerNorm(x, rows, d, w('transformer.ln_f.weight'), w('transformer.ln_f.bias'), eps);
  record(finalNormOutput, [B, T, d], lnF);

  // LM head: tied to wte unless the checkpoint has its own.
  const head = config.tie_word_embeddings === false ? w('lm_head.weight') : wte;
  const logits = new Float64Array(rows * vocab);
  for (let r = 0; r < rows; r++)
    for (let token = 0; token < vocab; token++) {
      let sum = 0;
      for (let i = 0; i < d; i++) sum += lnF[r * d + i] * head[token * d + i];
      logits[r * vocab + token] = sum;
    }
  return { logits: { dims: [B, T, vocab], data: logits }, trace };
}

/** Position ids the way transformers.js makes them: cumsum(mask) - 1, and 1 at padding. */
export function positionIdsFromMask(attentionMask: number[][]): number[][] {
  return attentionMask.map((row) => {
    let next = 0;
    return row.map((m) => (m === 1 ? next++ : 1));
  });
}
