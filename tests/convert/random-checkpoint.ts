// Makes small randomly initialised GPT-2 and Llama-graph (Llama, Qwen2, Mistral) checkpoints (seeded, so every run
// sees the same weights).
import { readSafetensors, writeSafetensors, type SafetensorsDtype, type TensorToWrite } from '../../src/convert/safetensors';
import { seededRandom } from '../../src/maths/sampling';

/** mulberry32, the deck's seeded PRNG: returns floats in [0, 1). */
export const mulberry32 = seededRandom;

export interface CheckpointOptions {
  seed?: number;
  vocab_size?: number;
  n_embd?: number;
  n_head?: number;
  n_layer?: number;
  n_positions?: number;
  /** Store names without the `transformer.` prefix, as the original GPT-2 checkpoints do. */
  stripPrefix?: boolean;
  /** Also store the attn.bias / attn.masked_bias buffers older checkpoints carry. */
  includeBuffers?: boolean;
  /** Store a separate lm_head.weight and set tie_word_embeddings false. */
  untied?: boolean;
  /** Tied, but store lm_head.weight anyway (a copy of wte), as some exports do. */
  storeTiedHead?: boolean;
  /** Write config.json as distilgpt2's is written: n_ctx, no n_inner nor tie_word_embeddings, the fine-tuning fields. */
  distilgpt2Config?: boolean;
  /** How the safetensors file stores the weights; `parameters` holds the values as stored. */
  dtype?: SafetensorsDtype;
}

export interface RandomCheckpoint {
  config: Record<string, unknown>;
  /** Parameters under their canonical names (`transformer.` for GPT-2, `model.` for Llama). */
  parameters: Map<string, { shape: number[]; data: Float32Array }>;
  /** The safetensors file. */
  bytes: Uint8Array;
}

export function makeRandomGpt2Checkpoint(options: CheckpointOptions = {}): RandomCheckpoint {
  const {
    seed = 1234,
    vocab_size = 50,
    n_embd: d = 16,
    n_head = 2,
    n_layer = 2,
    n_positions = 32,
    stripPrefix = false,
    includeBuffers = false,
    untied = false,
    storeTiedHead = false,
    distilgpt2Config = false,
    dtype = 'F32',
  } = options;
  const random = mulberry32(seed);
  // Box-Muller: normal samples from the uniform PRNG.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  // Larger than GPT-2's 0.02 init so attention is far from uniform and GELU far from linear.
  const randomTensor = (shape: number[], std: number, mean = 0) => ({
    shape,
    data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => mean + std * normal()),
  });

  const parameters = new Map<string, { shape: number[]; data: Float32Array }>();
  parameters.set('transformer.wte.weight', randomTensor([vocab_size, d], 0.5));
  parameters.set('transformer.wpe.weight', randomTensor([n_positions, d], 0.3));
  for (let layer = 0; layer < n_layer; layer++) {
    const p = `transformer.h.${layer}`;
    parameters.set(`${p}.ln_1.weight`, randomTensor([d], 0.1, 1));
    parameters.set(`${p}.ln_1.bias`, randomTensor([d], 0.1));
    parameters.set(`${p}.attn.c_attn.weight`, randomTensor([d, 3 * d], 0.3));
    parameters.set(`${p}.attn.c_attn.bias`, randomTensor([3 * d], 0.1));
    parameters.set(`${p}.attn.c_proj.weight`, randomTensor([d, d], 0.2));
    parameters.set(`${p}.attn.c_proj.bias`, randomTensor([d], 0.1));
    parameters.set(`${p}.ln_2.weight`, randomTensor([d], 0.1, 1));
    parameters.set(`${p}.ln_2.bias`, randomTensor([d], 0.1));
    parameters.set(`${p}.mlp.c_fc.weight`, randomTensor([d, 4 * d], 0.3));
    parameters.set(`${p}.mlp.c_fc.bias`, randomTensor([4 * d], 0.1));
    parameters.set(`${p}.mlp.c_proj.weight`, randomTensor([4 * d, d], 0.15));
    parameters.set(`${p}.mlp.c_proj.bias`, randomTensor([d], 0.1));
  }
  parameters.set('transformer.ln_f.weight', randomTensor([d], 0.1, 1));
  parameters.set('transformer.ln_f.bias', randomTensor([d], 0.1));
  if (untied) parameters.set('lm_head.weight', randomTensor([vocab_size, d], 0.5));

  const config: Record<string, unknown> = distilgpt2Config
    ? {
        _num_labels: 1,
        activation_function: 'gelu_new',
        architectures: ['GPT2LMHeadModel'],
        attn_pdrop: 0.1,
        bos_token_id: vocab_size - 1,
        embd_pdrop: 0.1,
        eos_token_id: vocab_size - 1,
        id2label: { '0': 'LABEL_0' },
        initializer_range: 0.02,
        label2id: { LABEL_0: 0 },
        layer_norm_epsilon: 1e-5,
        model_type: 'gpt2',
        n_ctx: n_positions,
        n_embd: d,
        n_head,
        n_layer,
        n_positions,
        resid_pdrop: 0.1,
        summary_activation: null,
        summary_first_dropout: 0.1,
        summary_proj_to_labels: true,
        summary_type: 'cls_index',
        summary_use_proj: true,
        task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
        vocab_size,
      }
    : {
        model_type: 'gpt2',
        architectures: ['GPT2LMHeadModel'],
        vocab_size,
        n_positions,
        n_embd: d,
        n_layer,
        n_head,
        n_inner: null,
        layer_norm_epsilon: 1e-5,
        activation_function: 'gelu_new',
        tie_word_embeddings: !untied,
      };

  const stored = new Map<string, TensorToWrite>();
  const storedName = (name: string) => (stripPrefix ? name.replace(/^transformer\./, '') : name);
  for (const [name, tensor] of parameters) stored.set(storedName(name), { ...tensor, dtype });
  if (storeTiedHead && !untied) stored.set('lm_head.weight', { ...parameters.get('transformer.wte.weight')!, dtype });
  if (includeBuffers) {
    const causal = Float32Array.from({ length: n_positions * n_positions }, (_, i) =>
      i % n_positions <= Math.floor(i / n_positions) ? 1 : 0,
    );
    for (let layer = 0; layer < n_layer; layer++) {
      stored.set(storedName(`transformer.h.${layer}.attn.bias`), { shape: [1, 1, n_positions, n_positions], data: causal });
      stored.set(storedName(`transformer.h.${layer}.attn.masked_bias`), { shape: [], data: new Float32Array([-1e4]) });
    }
  }
  const bytes = writeSafetensors(stored, { format: 'pt' });
  // The values as stored (rounded to BF16/F16 when asked), so a reference sees what the converter reads.
  if (dtype !== 'F32') {
    for (const [name, { data }] of readSafetensors(bytes)) {
      const canonical = name.startsWith('transformer.') || name.startsWith('lm_head.') ? name : `transformer.${name}`;
      const parameter = parameters.get(canonical);
      if (parameter) parameters.set(canonical, { shape: parameter.shape, data });
    }
  }
  return { config, parameters, bytes };
}

export interface LlamaCheckpointOptions {
  /** The family (default llama): qwen2 stores nonzero q/k/v biases and writes Qwen2's config fields; mistral its sliding_window. */
  model_type?: 'llama' | 'qwen2' | 'mistral';
  /** Llama only: attention_bias true, with nonzero q/k/v/o biases stored. */
  attention_bias?: boolean;
  /** Mistral: config.json's sliding_window (default null); Qwen2: its sliding_window (default max_position_embeddings). */
  sliding_window?: number | null;
  /** Qwen2: use_sliding_window (default false). */
  use_sliding_window?: boolean;
  seed?: number;
  vocab_size?: number;
  hidden_size?: number;
  intermediate_size?: number;
  num_hidden_layers?: number;
  num_attention_heads?: number;
  /** Fewer than num_attention_heads gives GQA; undefined leaves it out of config.json (Hugging Face: MHA). */
  num_key_value_heads?: number;
  /** Written to config.json when given (otherwise hidden_size / num_attention_heads). */
  head_dim?: number;
  rope_theta?: number;
  /** Llama 3.1-style scaling with the given parameters. */
  ropeScaling?: { factor: number; low_freq_factor: number; high_freq_factor: number; original_max_position_embeddings: number };
  max_position_embeddings?: number;
  /** Tie lm_head to embed_tokens (store no lm_head.weight). */
  tied?: boolean;
  /** How the safetensors file stores the weights; `parameters` holds the values as stored. */
  dtype?: SafetensorsDtype;
}

/** Makes a small random Llama/Qwen2/MistralForCausalLM checkpoint (Hugging Face names, nn.Linear weights [out, in]). */
export function makeRandomLlamaCheckpoint(options: LlamaCheckpointOptions = {}): RandomCheckpoint {
  const {
    model_type = 'llama',
    attention_bias = false,
    seed = 4321,
    vocab_size = 50,
    hidden_size: d = 16,
    intermediate_size: f = 40,
    num_hidden_layers = 2,
    num_attention_heads: h = 4,
    num_key_value_heads,
    head_dim,
    rope_theta = 10000,
    ropeScaling,
    max_position_embeddings = 64,
    tied = false,
    dtype = 'F32',
  } = options;
  const kvh = num_key_value_heads ?? h;
  // Qwen2 always biases q, k and v (large enough to move attention); a Llama with attention_bias also o_proj.
  const qkvBias = model_type === 'qwen2' || attention_bias;
  const hd = head_dim ?? d / h;
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  // Larger than Llama's 0.02 init so attention is far from uniform and SiLU far from linear.
  const randomTensor = (shape: number[], std: number, mean = 0): TensorToWrite => ({
    dtype,
    shape,
    data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => mean + std * normal()),
  });

  const stored = new Map<string, TensorToWrite>();
  stored.set('model.embed_tokens.weight', randomTensor([vocab_size, d], 1));
  for (let layer = 0; layer < num_hidden_layers; layer++) {
    const p = `model.layers.${layer}`;
    stored.set(`${p}.input_layernorm.weight`, randomTensor([d], 0.1, 1));
    stored.set(`${p}.self_attn.q_proj.weight`, randomTensor([h * hd, d], 0.4));
    if (qkvBias) stored.set(`${p}.self_attn.q_proj.bias`, randomTensor([h * hd], 0.5));
    stored.set(`${p}.self_attn.k_proj.weight`, randomTensor([kvh * hd, d], 0.4));
    if (qkvBias) stored.set(`${p}.self_attn.k_proj.bias`, randomTensor([kvh * hd], 0.5));
    stored.set(`${p}.self_attn.v_proj.weight`, randomTensor([kvh * hd, d], 0.4));
    if (qkvBias) stored.set(`${p}.self_attn.v_proj.bias`, randomTensor([kvh * hd], 0.5));
    stored.set(`${p}.self_attn.o_proj.weight`, randomTensor([d, h * hd], 0.2));
    if (attention_bias) stored.set(`${p}.self_attn.o_proj.bias`, randomTensor([d], 0.3));
    stored.set(`${p}.post_attention_layernorm.weight`, randomTensor([d], 0.1, 1));
    stored.set(`${p}.mlp.gate_proj.weight`, randomTensor([f, d], 0.4));
    stored.set(`${p}.mlp.up_proj.weight`, randomTensor([f, d], 0.3));
    stored.set(`${p}.mlp.down_proj.weight`, randomTensor([d, f], 0.2));
  }
  stored.set('model.norm.weight', randomTensor([d], 0.1, 1));
  if (!tied) stored.set('lm_head.weight', randomTensor([vocab_size, d], 0.5));

  const architecture = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', mistral: 'MistralForCausalLM' }[model_type];
  // The fields each family's config.json carries beyond the shared ones (Qwen2 and Mistral have no bias switches).
  const familyFields: Record<string, unknown> =
    model_type === 'llama'
      ? { attention_bias, mlp_bias: false }
      : model_type === 'qwen2'
        ? {
            use_sliding_window: options.use_sliding_window ?? false,
            sliding_window: options.sliding_window === undefined ? max_position_embeddings : options.sliding_window,
            max_window_layers: num_hidden_layers,
          }
        : { sliding_window: options.sliding_window ?? null };
  const config: Record<string, unknown> = {
    model_type,
    architectures: [architecture],
    vocab_size,
    hidden_size: d,
    intermediate_size: f,
    num_hidden_layers,
    num_attention_heads: h,
    ...(num_key_value_heads === undefined ? {} : { num_key_value_heads }),
    ...(head_dim === undefined ? {} : { head_dim }),
    hidden_act: 'silu',
    max_position_embeddings,
    rms_norm_eps: 1e-5,
    rope_theta,
    rope_scaling: ropeScaling ? { rope_type: 'llama3', ...ropeScaling } : null,
    ...familyFields,
    tie_word_embeddings: tied,
  };

  const bytes = writeSafetensors(stored, { format: 'pt' });
  // The values as stored (rounded to BF16/F16 when asked), so a reference sees what the converter reads.
  const parameters = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, { shape, data }] of readSafetensors(bytes)) parameters.set(name, { shape, data });
  return { config, parameters, bytes };
}
