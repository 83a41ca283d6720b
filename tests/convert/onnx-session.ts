// Runs a converted GPT-2 or Llama graph in onnxruntime-node, with or without a KV cache.
import * as ort from 'onnxruntime-node';
import { LENS_SWITCH_INPUT, STEP_TOP_SWITCH_INPUT, TRACE_SWITCH_INPUT } from '../../src/trace/output-names';
import { unstackOutputs } from '../../src/trace/stacked-layer-outputs';

export type OrtOutputs = Record<string, ort.Tensor>;

/** Two prompts in one batch, the second left-padded by two: what the generation tests feed every graph. */
export const LEFT_PADDED_PROMPT = {
  inputIds: [
    [5, 12, 33, 9],
    [0, 0, 21, 4],
  ],
  attentionMask: [
    [1, 1, 1, 1],
    [0, 0, 1, 1],
  ],
};

export async function createSession(onnxBytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnxBytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
}

export interface DecoderFeed {
  inputIds: number[][];
  /** Covers past + new tokens. */
  attentionMask: number[][];
  positionIds: number[][];
  /** The previous call's present.N.key / present.N.value outputs; empty cache when absent. */
  past?: OrtOutputs;
  /** The trace switch, for a graph that has it (default on: every output computed). */
  traceOutputs?: boolean;
  /** The logit lens's switch (trace_lens): default, as traceOutputs. */
  lens?: boolean;
  /** A step's top-5 switch (step_top): default, as traceOutputs. */
  stepTop?: boolean;
}

const int64 = (rows: number[][]) =>
  new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (value) => BigInt(value)), [rows.length, rows[0].length]);

/** The shape of one layer's cache, [batch, heads, past, headDim], as config.json gives it for each model type. */
function cacheShape(config: Record<string, unknown>): { nLayer: number; heads: number; headDim: number } {
  if (config.model_type !== 'gpt2') {
    const nHead = config.num_attention_heads as number;
    return {
      nLayer: config.num_hidden_layers as number,
      heads: (config.num_key_value_heads as number | undefined) ?? nHead,
      headDim: (config.head_dim as number | undefined) ?? (config.hidden_size as number) / nHead,
    };
  }
  const nHead = config.n_head as number;
  return { nLayer: config.n_layer as number, heads: nHead, headDim: (config.n_embd as number) / nHead };
}

/** One forward call of a converted GPT-2 or Llama-graph (Llama, Qwen2, Mistral) model; `config` (its model_type) gives the cache shapes. */
export async function runDecoder(
  session: ort.InferenceSession,
  config: Record<string, unknown>,
  feed: DecoderFeed,
): Promise<OrtOutputs> {
  const { nLayer, heads, headDim } = cacheShape(config);
  const batch = feed.inputIds.length;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: int64(feed.inputIds),
    attention_mask: int64(feed.attentionMask),
    position_ids: int64(feed.positionIds),
  };
  if (session.inputNames.includes(TRACE_SWITCH_INPUT)) feeds[TRACE_SWITCH_INPUT] = new ort.Tensor('bool', Uint8Array.of(feed.traceOutputs === false ? 0 : 1), []);
  if (session.inputNames.includes(LENS_SWITCH_INPUT)) feeds[LENS_SWITCH_INPUT] = new ort.Tensor('bool', Uint8Array.of((feed.lens ?? feed.traceOutputs) === false ? 0 : 1), []);
  if (session.inputNames.includes(STEP_TOP_SWITCH_INPUT)) feeds[STEP_TOP_SWITCH_INPUT] = new ort.Tensor('bool', Uint8Array.of((feed.stepTop ?? feed.traceOutputs) === false ? 0 : 1), []);
  for (let layer = 0; layer < nLayer; layer++) {
    for (const part of ['key', 'value']) {
      feeds[`past_key_values.${layer}.${part}`] =
        feed.past?.[`present.${layer}.${part}`] ?? new ort.Tensor('float32', new Float32Array(0), [batch, heads, 0, headDim]);
    }
  }
  // Per-layer trace outputs come stacked (trace.layers.<kind>): split back into the Trace's names.
  return unstackOutputs(await session.run(feeds), nLayer, (_, data, dims) => new ort.Tensor('float32', data, dims));
}

/** The name the GPT-2 tests use. */
export const runGpt2 = runDecoder;

/** Index of the largest logit at the last position of each row. */
export function lastTokenArgmax(logits: ort.Tensor): number[] {
  const [batch, seq, vocab] = logits.dims as number[];
  const data = logits.data as Float32Array;
  return Array.from({ length: batch }, (_, b) => {
    const start = (b * seq + seq - 1) * vocab;
    let best = 0;
    for (let token = 1; token < vocab; token++) if (data[start + token] > data[start + best]) best = token;
    return best;
  });
}

/** Greedy decoding, either feeding the cache forward or recomputing the whole sequence each step. */
export async function greedyGenerate(
  session: ort.InferenceSession,
  config: Record<string, unknown>,
  prompt: { inputIds: number[][]; attentionMask: number[][] },
  steps: number,
  useCache: boolean,
): Promise<number[][]> {
  const sequences = prompt.inputIds.map((row) => [...row]);
  const mask = prompt.attentionMask.map((row) => [...row]);
  const positions = (rows: number[][]) =>
    rows.map((row) => {
      let next = 0;
      return row.map((m) => (m === 1 ? next++ : 1));
    });
  let past: OrtOutputs | undefined;
  let newTokens = sequences.map((row) => [...row]);
  for (let step = 0; step < steps; step++) {
    const allPositions = positions(mask);
    const outputs = useCache
      ? await runDecoder(session, config, {
          inputIds: newTokens,
          attentionMask: mask,
          positionIds: allPositions.map((row) => row.slice(row.length - newTokens[0].length)),
          past,
        })
      : await runDecoder(session, config, { inputIds: sequences, attentionMask: mask, positionIds: allPositions });
    past = outputs;
    const next = lastTokenArgmax(outputs.logits);
    next.forEach((token, b) => {
      sequences[b].push(token);
      mask[b].push(1);
    });
    newTokens = next.map((token) => [token]);
  }
  return sequences;
}
