// An independent Llama forward pass in plain TypeScript with Float64Array (no ONNX), written by hand from the
// Hugging Face LlamaForCausalLM definition (modeling_llama.py, modeling_rope_utils.py), with what Qwen2ForCausalLM
// (modeling_qwen2.py: biases on q_proj, k_proj, v_proj) and MistralForCausalLM (modeling_mistral.py: a sliding
// window over the keys) change. It returns the logits and
// every intermediate under the trace.* names of src/trace/output-names.ts, so tests can compare the converted
// graph entry by entry. It shares nothing with src/convert/llama*.ts but the trace names.
import { embedOutputs, finalNormOutput, layerOutput } from '../../src/trace/output-names';
import { FLOAT32_MIN, type ReferenceInputs, type ReferenceOutputs, type Tensor64 } from './reference-gpt2';

type Parameters = Map<string, { shape: number[]; data: Float32Array }>;

/** Config values with LlamaConfig's defaults. */
function sizesOf(config: Record<string, unknown>) {
  const d = config.hidden_size as number;
  const nHead = config.num_attention_heads as number;
  const scaling = (config.rope_scaling ?? null) as Record<string, number | string> | null;
  return {
    d,
    nHead,
    nKvHead: (config.num_key_value_heads as number | undefined) ?? nHead,
    hd: (config.head_dim as number | undefined) ?? Math.floor(d / nHead),
    f: config.intermediate_size as number,
    nLayer: config.num_hidden_layers as number,
    vocab: config.vocab_size as number,
    eps: (config.rms_norm_eps as number | undefined) ?? 1e-6,
    theta: (config.rope_theta as number | undefined) ?? 10000,
    scaling,
    tied: config.tie_word_embeddings === true,
    // Qwen2Attention: nn.Linear(bias=True) for q, k, v, bias=False for o. LlamaAttention: all four follow attention_bias.
    qkvBias: config.model_type === 'qwen2' || (config.model_type === 'llama' && config.attention_bias === true),
    oBias: config.model_type === 'llama' && config.attention_bias === true,
    // MistralAttention passes sliding_window to the mask: key j is visible to query i only if i - j < sliding_window.
    slidingWindow: config.model_type === 'mistral' ? ((config.sliding_window as number | null | undefined) ?? null) : null,
  };
}

/**
 * inv_freq as _compute_default_rope_parameters, then (rope_type "llama3") _compute_llama3_parameters:
 * wavelen = 2 pi / inv_freq; > low_freq_wavelen: / factor; < high_freq_wavelen: kept; between: smoothed.
 */
export function referenceInverseFrequencies(config: Record<string, unknown>): number[] {
  const { hd, theta, scaling } = sizesOf(config);
  const inverse: number[] = [];
  for (let i = 0; i < hd; i += 2) inverse.push(1 / Math.pow(theta, i / hd));
  if (!scaling) return inverse;
  const factor = scaling.factor as number;
  const lowFreqFactor = scaling.low_freq_factor as number;
  const highFreqFactor = scaling.high_freq_factor as number;
  const oldContextLength = scaling.original_max_position_embeddings as number;
  const lowFreqWavelen = oldContextLength / lowFreqFactor;
  const highFreqWavelen = oldContextLength / highFreqFactor;
  return inverse.map((invFreq) => {
    const wavelen = (2 * Math.PI) / invFreq;
    const scaled = wavelen > lowFreqWavelen ? invFreq / factor : invFreq;
    const isMediumFreq = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
    if (!isMediumFreq) return scaled;
    const smoothFactor = (oldContextLength / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
    return ((1 - smoothFactor) * scaled) / factor + smoothFactor * scaled;
  });
}

/** nn.Linear: rows x inDim times W^T (+ bias), W stored [outDim, inDim]. */
function linear(x: Float64Array, rows: number, W: Float32Array, inDim: number, outDim: number, bias?: Float32Array): Float64Array {
  const y = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outDim; o++) {
      let sum = bias ? bias[o] : 0;
      for (let i = 0; i < inDim; i++) sum += x[r * inDim + i] * W[o * inDim + i];
      y[r * outDim + o] = sum;
    }
  return y;
}

/** LlamaRMSNorm: weight * x / sqrt(mean(x^2) + eps). */
function rmsNorm(x: Float64Array, rows: number, dim: number, weight: Float32Array, eps: number): Float64Array {
  const y = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let meanSquare = 0;
    for (let i = 0; i < dim; i++) meanSquare += x[r * dim + i] ** 2;
    meanSquare /= dim;
    const inverseRms = 1 / Math.sqrt(meanSquare + eps);
    for (let i = 0; i < dim; i++) y[r * dim + i] = weight[i] * (x[r * dim + i] * inverseRms);
  }
  return y;
}

const silu = (x: number) => x / (1 + Math.exp(-x));

export function referenceLlamaForward(config: Record<string, unknown>, parameters: Parameters, inputs: ReferenceInputs): ReferenceOutputs {
  const { d, nHead, nKvHead, hd, f, nLayer, vocab, eps, tied, qkvBias, oBias, slidingWindow } = sizesOf(config);
  const groupSize = nHead / nKvHead;
  const invFreq = referenceInverseFrequencies(config);
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

  // Embeddings: no position vectors in Llama.
  const embedTokens = w('model.embed_tokens.weight');
  let x = new Float64Array(rows * d);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let i = 0; i < d; i++) x[(b * T + t) * d + i] = embedTokens[inputs.inputIds[b][t] * d + i];
  record(embedOutputs.tokens, [B, T, d], x);
  record(embedOutputs.sum, [B, T, d], x);

  /** [rows, heads*hd] -> [B, heads, T, hd] */
  const toHeads = (flat: Float64Array, heads: number) => {
    const out = new Float64Array(B * heads * T * hd);
    for (let b = 0; b < B; b++)
      for (let head = 0; head < heads; head++)
        for (let t = 0; t < T; t++)
          for (let c = 0; c < hd; c++) out[((b * heads + head) * T + t) * hd + c] = flat[(b * T + t) * heads * hd + head * hd + c];
    return out;
  };
  /** apply_rotary_pos_emb on [B, heads, T, hd]: x * cos + rotate_half(x) * sin, angle = position * inv_freq[c mod hd/2]. */
  const rotate = (heads: Float64Array, count: number) => {
    const out = new Float64Array(heads.length);
    const half = hd / 2;
    for (let b = 0; b < B; b++)
      for (let head = 0; head < count; head++)
        for (let t = 0; t < T; t++) {
          const base = ((b * count + head) * T + t) * hd;
          for (let c = 0; c < hd; c++) {
            const angle = inputs.positionIds[b][t] * invFreq[c % half];
            const rotatedHalf = c < half ? -heads[base + c + half] : heads[base + c - half];
            out[base + c] = heads[base + c] * Math.cos(angle) + rotatedHalf * Math.sin(angle);
          }
        }
    return out;
  };
  /** repeat_kv: [B, kvh, T, hd] -> [B, h, T, hd], query head i reading key/value head floor(i / groupSize). */
  const repeatKv = (kv: Float64Array) => {
    const out = new Float64Array(B * nHead * T * hd);
    for (let b = 0; b < B; b++)
      for (let head = 0; head < nHead; head++)
        for (let t = 0; t < T; t++)
          for (let c = 0; c < hd; c++)
            out[((b * nHead + head) * T + t) * hd + c] = kv[((b * nKvHead + Math.floor(head / groupSize)) * T + t) * hd + c];
    return out;
  };

  for (let layer = 0; layer < nLayer; layer++) {
    const p = `model.layers.${layer}`;
    const ln1 = rmsNorm(x, rows, d, w(`${p}.input_layernorm.weight`), eps);
    const bias = (name: string, present: boolean) => (present ? w(`${p}.self_attn.${name}.bias`) : undefined);
    const qUnrotated = toHeads(linear(ln1, rows, w(`${p}.self_attn.q_proj.weight`), d, nHead * hd, bias('q_proj', qkvBias)), nHead);
    const kUnrotated = toHeads(linear(ln1, rows, w(`${p}.self_attn.k_proj.weight`), d, nKvHead * hd, bias('k_proj', qkvBias)), nKvHead);
    const vHeads = toHeads(linear(ln1, rows, w(`${p}.self_attn.v_proj.weight`), d, nKvHead * hd, bias('v_proj', qkvBias)), nKvHead);
    const q = rotate(qUnrotated, nHead);
    const k = repeatKv(rotate(kUnrotated, nKvHead));
    const v = repeatKv(vHeads);

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
            scores[rowStart + j] = dot * hd ** -0.5;
            const inWindow = slidingWindow === null || i - j < slidingWindow;
            const visible = j <= i && inWindow && inputs.attentionMask[b][j] === 1;
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

    // Merge heads back to [B, T, h * hd], then o_proj.
    const merged = new Float64Array(rows * nHead * hd);
    for (let b = 0; b < B; b++)
      for (let head = 0; head < nHead; head++)
        for (let t = 0; t < T; t++)
          for (let c = 0; c < hd; c++) merged[(b * T + t) * nHead * hd + head * hd + c] = context[((b * nHead + head) * T + t) * hd + c];
    const attnOut = linear(merged, rows, w(`${p}.self_attn.o_proj.weight`), nHead * hd, d, bias('o_proj', oBias));
    const afterAttn = x.map((value, i) => value + attnOut[i]);

    // SwiGLU MLP.
    const ln2 = rmsNorm(afterAttn, rows, d, w(`${p}.post_attention_layernorm.weight`), eps);
    const gate = linear(ln2, rows, w(`${p}.mlp.gate_proj.weight`), d, f);
    const up = linear(ln2, rows, w(`${p}.mlp.up_proj.weight`), d, f);
    const act = gate.map((value, i) => silu(value) * up[i]);
    const mlpOut = linear(act, rows, w(`${p}.mlp.down_proj.weight`), f, d);
    const afterMlp = afterAttn.map((value, i) => value + mlpOut[i]);

    record(layerOutput(layer, 'ln_1'), [B, T, d], ln1);
    record(layerOutput(layer, 'attn.q_unrotated'), [B, nHead, T, hd], qUnrotated);
    record(layerOutput(layer, 'attn.k_unrotated'), [B, nHead, T, hd], repeatKv(kUnrotated));
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
    record(layerOutput(layer, 'mlp.pre_act'), [B, T, f], gate);
    record(layerOutput(layer, 'mlp.act'), [B, T, f], act);
    record(layerOutput(layer, 'mlp.out'), [B, T, d], mlpOut);
    record(layerOutput(layer, 'resid.after_mlp'), [B, T, d], afterMlp);
    x = afterMlp;
  }

  const normed = rmsNorm(x, rows, d, w('model.norm.weight'), eps);
  record(finalNormOutput, [B, T, d], normed);

  const head = tied ? embedTokens : w('lm_head.weight');
  const logits = linear(normed, rows, head, d, vocab);
  return { logits: { dims: [B, T, vocab], data: logits }, trace };
}
