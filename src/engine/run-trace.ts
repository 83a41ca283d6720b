// One forward pass over the prompt -> a Trace. Shared by Node (`npm run trace`) and the browser worker.
import { Tensor } from '@huggingface/transformers';
import { logSumExp, softmax, topKIndices } from '../maths/softmax';
import { byteLevelToBytes, utf8Bytes } from '../tokenize/byte-level';
import type { ChatInput, NextTokenCandidate, Trace, TraceTensor, TraceToken } from '../trace';
import { renderConversation, type Conversation } from './chat-input';
import type { LoadedModel } from './load-model';
import { disposeGpuTensors, presentToPast, type KvCache } from './kv-cache';
import { computeExtras, type ExtrasInput } from './trace-extras';
import { graphLogitLens } from './graph-lens';
import { computeAttribution, isAttributionOutput, readAttributionOutputs } from './attribution';
import { knockOutFeeds } from './knock-out';
import { hasLensSwitch, traceSwitchFeeds } from './trace-switch';
import { fetchingModel, type Forwardable } from './fetching-model';
import { unstackOutputs } from '../trace/stacked-layer-outputs';
import { isLogitLensOutput, isStepOutput, isStepTopOutput, logitsLogSumExpOutput } from '../trace/output-names';
import { isKnockOutEmpty, type KnockOut } from '../trace/knock-out';

export const TOP_K = 10;
export const CANDIDATE_TEXTS = 64;

/** A prompt the model cannot take; its message is shown to the presenter as is. */
export class PromptError extends Error {}

/** The text's ids, special tokens in it (<|im_start|>) recognised; no BOS added (a template writes its own). */
export function tokenize(loaded: Pick<LoadedModel, 'tokenizer'>, prompt: string): number[] {
  return loaded.tokenizer.encode(prompt, { add_special_tokens: false });
}

/** The conversation through the model's chat template (or as typed, for a base model), and its ids. */
export function chatInput(loaded: Pick<LoadedModel, 'tokenizer' | 'chatTemplate'>, conversation: Conversation): { chat: ChatInput; ids: number[] } {
  const chat = renderConversation(loaded.tokenizer, loaded.chatTemplate, conversation);
  return { chat, ids: tokenize(loaded, chat.templated) };
}

/** A token's piece, text and bytes, worked out once per model and id (each takes a decode: ~80 of them a Trace). */
export function describeToken(loaded: LoadedModel, id: number): TraceToken {
  let known = describedTokens.get(loaded);
  if (!known) describedTokens.set(loaded, (known = new Map()));
  let token = known.get(id);
  if (!token) known.set(id, (token = tokenDescription(loaded, id)));
  return { ...token }; // a copy: a Trace's tokens are its own
}
const describedTokens = new WeakMap<LoadedModel, Map<number, TraceToken>>();

function tokenDescription(loaded: LoadedModel, id: number): TraceToken {
  const piece = loaded.pieces[id] ?? '';
  const text = loaded.tokenizer.decode([id], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  let bytes: number[];
  try {
    bytes = byteLevelToBytes(piece); // byte-level BPE (GPT-2 family): the piece spells its bytes
  } catch {
    bytes = Array.from(utf8Bytes(text)); // other tokenizers: the bytes of what it decodes to
  }
  return { id, piece, text, bytes, special: loaded.specialIds.has(id) };
}

/**
 * The model asking for what the traced pass computes (every output but a step's top 5, which is off, and the
 * lens's rows unless `lens`): onnxruntime copies each output it is asked for, ~8 µs each in WASM.
 */
export function tracedPassModel(loaded: LoadedModel, lens: boolean): Forwardable {
  return fetchingModel(loaded.model, lens ? 'trace+lens' : 'trace', (name) => !isStepTopOutput(name) && (lens || !isLogitLensOutput(name)));
}

export interface TraceOptions {
  knockOut?: KnockOut | null;
  /**
   * Leave the logit lens to the answer (the deck's worker, which always answers; answer-stream.ts): the traced pass then
   * skips the lens's head products, a quarter of a short prompt's pass on a 49,152-token vocabulary. Ignored for a
   * graph without the lens's own switch.
   */
  deferLens?: boolean;
  /**
   * Takes the pass's KV cache (every prompt id's keys and values) instead of letting it go: the deck's answer continues
   * from it rather than reading the prompt again. Called once the pass has run.
   */
  onCache?: (cache: KvCache) => void;
}

/** A prompt alone, or a conversation: a chat model reads it through its template (see chat-input.ts). */
export async function runTrace(loaded: LoadedModel, input: string | Conversation, options: TraceOptions = {}): Promise<Trace> {
  const started = performance.now();
  const conversation = typeof input === 'string' ? { prompt: input } : input;
  const prompt = conversation.prompt;
  if (prompt === '') throw new PromptError('The prompt is empty: type something for the model to read.');
  const { chat, ids: allIds } = chatInput(loaded, conversation);
  if (allIds.length === 0) throw new PromptError('The prompt is empty: type something for the model to read.');
  // Past the context window, keep the most recent tokens: the model never sees the dropped ones.
  const droppedTokens = Math.max(0, allIds.length - loaded.info.contextLength);
  const ids = allIds.slice(droppedTokens);
  const tokenized = performance.now();

  const n = ids.length;
  const inputIds = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]);
  const attentionMask = new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
  const masks = knockOutFeeds(loaded, options.knockOut); // before the run: a knock-out this model cannot do throws here
  const deferLens = options.deferLens === true && hasLensSwitch(loaded);
  const graphOutputs = (await tracedPassModel(loaded, !deferLens).forward({ input_ids: inputIds, attention_mask: attentionMask, ...masks, ...traceSwitchFeeds(loaded, true, !deferLens) })) as Record<string, Tensor>;
  const forwarded = performance.now();
  const cache = presentToPast(graphOutputs);
  options.onCache?.({ ids: [...ids], past: cache });
  // WebGPU: the outputs left on the GPU (the cache's) are freed here, unless the answer took the cache.
  disposeGpuTensors(Object.values(graphOutputs), new Set(options.onCache ? Object.values(cache) : []));
  const outputs = unstackOutputs(graphOutputs, loaded.info.nLayer, (source, data, dims) => new Tensor(source.type as 'float32', data, dims)); // per-layer names again

  const tensors: Record<string, TraceTensor> = {};
  for (const name of loaded.traceOutputs) {
    const output = outputs[name];
    if (output && !isLogitLensOutput(name) && !isAttributionOutput(name) && name !== logitsLogSumExpOutput) tensors[name] = withoutBatch(output);
  }
  const logits = batchRow(outputs.logits); // read in place: only the last row is kept (a copy of every position's was megabytes per edit)
  const vocab = logits.shape[1];
  const lastLogits = logits.data.slice((n - 1) * vocab, n * vocab);
  const probs = softmax(lastLogits);
  const topk = topKIndices(probs, TOP_K).map((id) => ({
    id,
    token: describeToken(loaded, id).text,
    prob: probs[id],
    logit: lastLogits[id],
  }));
  const candidateTexts: Record<number, string> = {};
  for (const id of topKIndices(probs, CANDIDATE_TEXTS)) candidateTexts[id] = describeToken(loaded, id).text;
  // Each token's log-probability given the ones before it: its logit minus the row's log-sum-exp, from the graph when
  // it gives it (a JavaScript pass over every position's logits took 12 ms for 32 tokens of a 49,152-token vocabulary).
  const logSumExps = outputs[logitsLogSumExpOutput]?.data as Float32Array | undefined;
  const nextTokenLogProbs: number[] = [];
  for (let i = 0; i + 1 < n; i++) {
    const row = logits.data.subarray(i * vocab, (i + 1) * vocab);
    nextTokenLogProbs.push(row[ids[i + 1]] - (logSumExps ? logSumExps[i] : logSumExp(row)));
  }
  // Weight-derived extras: the graph's logit lens, merges, and the converter's embedding map, analogy, weight excerpt.
  const extras = computeExtras({
    ...extrasInput(loaded, ids, tensors, prompt),
    graphLens: deferLens ? null : graphLogitLens(outputs, loaded.traceOutputs, loaded.info.nLayer, (id) => describeToken(loaded, id).text),
    lensFromAnswer: deferLens,
  });
  // Which parts of the model voted for the top token: the graph's per-head outputs and readout rows, dotted here.
  const attributed = computeAttribution({ info: loaded.info, tensors, graph: readAttributionOutputs(outputs), topk });
  const collected = performance.now();

  return {
    version: 1,
    prompt,
    chat,
    droppedTokens,
    model: loaded.info,
    backend: loaded.backend,
    tokens: ids.map((id) => describeToken(loaded, id)),
    nextTokenLogProbs,
    lastLogits,
    topk,
    candidateTexts,
    tensors,
    missing: loaded.missingOutputs,
    extras,
    attribution: attributed.attribution,
    attributionMissing: attributed.missing,
    ...(isKnockOutEmpty(options.knockOut) ? {} : { knockOut: options.knockOut!, knockOutBaseline: await plainTopK(loaded, inputIds, attentionMask) }),
    timings: {
      tokenizeMs: tokenized - started,
      forwardMs: forwarded - tokenized,
      collectMs: collected - forwarded,
      totalMs: collected - started,
    },
  };
}

/** The plain model's top 10 (every mask one) for the same ids: the 'before' of a knock-out. */
async function plainTopK(loaded: LoadedModel, inputIds: Tensor, attentionMask: Tensor): Promise<NextTokenCandidate[]> {
  const logitsOnly = fetchingModel(loaded.model, 'logits', isStepOutput); // the logits (and the cache, which a decoder's run always returns)
  const outputs = (await logitsOnly.forward({ input_ids: inputIds, attention_mask: attentionMask, ...knockOutFeeds(loaded, null), ...traceSwitchFeeds(loaded, false) })) as Record<string, Tensor>;
  disposeGpuTensors(Object.values(outputs).filter((t) => t.location === 'gpu-buffer'));
  const logits = batchRow(outputs.logits);
  const vocab = logits.shape[1];
  const last = logits.data.slice(logits.data.length - vocab);
  const probs = softmax(last);
  return topKIndices(probs, TOP_K).map((id) => ({ id, token: describeToken(loaded, id).text, prob: probs[id], logit: last[id] }));
}

/** What the weight-derived extras read for these ids and tensors (the in-graph lens aside). */
export function extrasInput(loaded: LoadedModel, ids: number[], tensors: Record<string, TraceTensor>, prompt: string): Omit<ExtrasInput, 'graphLens'> {
  return {
    ids,
    tensors,
    file: loaded.extrasFile,
    encoder: loaded.encoder,
    nLayer: loaded.info.nLayer,
    prompt,
    decode: (id) => describeToken(loaded, id).text,
  };
}

/** The tensor's only batch row, in place (no copy): for values read here and not kept in the Trace. */
function batchRow(tensor: Tensor): TraceTensor {
  return { shape: tensor.dims.slice(1), data: tensor.data as Float32Array };
}

/** Drops the batch dimension (always 1 here) and copies the data out of the runtime's buffer. */
function withoutBatch(tensor: Tensor): TraceTensor {
  return { shape: tensor.dims.slice(1), data: (tensor.data as Float32Array).slice() }; // slice(): a memcpy, not an element-wise copy
}
