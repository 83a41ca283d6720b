// Autoregressive generation, one token at a time, with or without the KV cache, reporting each step.
// Written over model() rather than transformers.js's generate(): generate() hides each step's
// distribution and cannot be seeded, and the deck shows both.
import { Tensor } from '@huggingface/transformers';
import { drawFrom, GREEDY, samplingDistribution, seededRandom, type SamplingSettings } from '../maths/sampling';
import { softmax, topKIndices } from '../maths/softmax';
import type { GenerationStep } from '../trace';
import type { LoadedModel } from './load-model';
import { describeToken } from './run-trace';

export type { GenerationStep };

export interface GenerateOptions {
  maxNewTokens: number;
  sampling?: SamplingSettings;
  seed?: number;
  useCache?: boolean;
  /** Stop at the end-of-text token (default true). */
  stopAtEndOfText?: boolean;
  onStep?: (step: GenerationStep) => void;
  /** Checked before each step: a newer prompt makes this generation moot. */
  shouldStop?: () => boolean;
}

const int64 = (values: number[], dims: number[]) => new Tensor('int64', BigInt64Array.from(values, BigInt), dims);

export async function generate(loaded: LoadedModel, promptIds: number[], options: GenerateOptions): Promise<GenerationStep[]> {
  const sampling = options.sampling ?? GREEDY;
  const random = seededRandom(options.seed ?? 0);
  const useCache = options.useCache ?? true;
  const endOfText = loaded.tokenizer.eos_token_id;
  const ids = [...promptIds];
  const steps: GenerationStep[] = [];
  let past: Record<string, Tensor> | null = null;

  while (steps.length < options.maxNewTokens && ids.length < loaded.info.contextLength && !options.shouldStop?.()) {
    const started = performance.now();
    // With a cache, only the newest token goes in; the cache holds every earlier key and value.
    const fresh = past ? ids.slice(-1) : ids;
    const offset = ids.length - fresh.length;
    const inputs: Record<string, unknown> = {
      input_ids: int64(fresh, [1, fresh.length]),
      attention_mask: int64(new Array(ids.length).fill(1), [1, ids.length]),
      position_ids: int64(fresh.map((_, i) => offset + i), [1, fresh.length]),
    };
    if (past) inputs.past_key_values = past;
    const outputs = (await loaded.model(inputs)) as Record<string, Tensor>;
    const logits = outputs.logits;
    const vocab = logits.dims[2];
    const last = (logits.data as Float32Array).slice((fresh.length - 1) * vocab, fresh.length * vocab);
    if (useCache) past = presentToPast(outputs);

    const distribution = samplingDistribution(last, sampling);
    const id = drawFrom(distribution, random());
    const probs = softmax(last);
    const decode = (tokenId: number) => loaded.tokenizer.decode([tokenId], { skip_special_tokens: false });
    const step: GenerationStep = {
      id,
      text: decode(id),
      bytes: describeToken(loaded, id).bytes,
      prob: probs[id],
      top5: topKIndices(probs, 5).map((k) => ({ id: k, text: decode(k), prob: probs[k] })),
      ms: performance.now() - started,
    };
    steps.push(step);
    options.onStep?.(step);
    ids.push(id);
    if (id === endOfText && (options.stopAtEndOfText ?? true)) break;
  }
  return steps;
}

/** present.N.key -> past_key_values.N.key: this step's cache is the next step's input. */
function presentToPast(outputs: Record<string, Tensor>): Record<string, Tensor> {
  const past: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    if (name.startsWith('present.')) past[name.replace('present.', 'past_key_values.')] = tensor;
  }
  return past;
}
