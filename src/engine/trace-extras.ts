// Values the slides show that need the model's weights or merges, not only its activations: the logit lens
// (computed in the graph, src/engine/graph-lens.ts), the BPE merges of the prompt's words, the embedding map, the
// analogy and a weight excerpt. The weight-derived ones come from trace-extras.json, written by the converter
// (src/convert/trace-extras-file.ts): the engine holds no copy of the weights. The prompt's own points on the
// map are its token embeddings as the graph returned them (trace.embed.tokens), projected on the file's axes.
import { TRACE_EXTRAS_FILE, type TraceExtrasFile } from '../convert/trace-extras-file';
import { softmax, topKIndices } from '../maths/softmax';
import { dot, layerNorm, matVecMany, rmsNorm } from '../maths/vectors';
import { toByteLevel } from '../tokenize/byte-level';
import type { BpeEncoder } from '../tokenize/bpe-encoder';
import { pretokenize } from '../tokenize/pretokenize';
import type { EmbeddingPoint, LogitLensRow, MissingPart, ModelArchitecture, TraceExtras, TraceTensor, WordMerges } from '../trace';
import { embedOutputs } from '../trace/output-names';
import { EVERY_LENS_STAGE, LOGIT_LENS_TOP, logitLensStages } from '../trace/logit-lens';

export { ANALOGY, EMBEDDING_MAP_WORDS, NEIGHBOURS, TRACE_EXTRAS_FILE } from '../convert/trace-extras-file';
export { LOGIT_LENS_TOP };

/** The initializers the weight-derived values read, by their Hugging Face names in each family's checkpoints (the converter and tests read them). */
export interface ExtrasWeightNames {
  /** The token embedding table [vocab, width]. */
  embeddings: string;
  /** The final norm's gain and (LayerNorm only) bias. */
  finalNormGain: string;
  finalNormBias: string | null;
  /** The LM head [vocab, width]: the embedding table when tied. */
  lmHead: string;
  /** The weight matrix excerpted on the training slide: the first layer's query projection. */
  excerpt: string;
}

export function extrasWeightNames(architecture: Pick<ModelArchitecture, 'family' | 'tiedEmbeddings'>): ExtrasWeightNames {
  if (architecture.family === 'llama') {
    return {
      embeddings: 'model.embed_tokens.weight',
      finalNormGain: 'model.norm.weight',
      finalNormBias: null,
      lmHead: architecture.tiedEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight',
      excerpt: 'model.layers.0.self_attn.q_proj.weight',
    };
  }
  return {
    embeddings: 'transformer.wte.weight',
    finalNormGain: 'transformer.ln_f.weight',
    finalNormBias: 'transformer.ln_f.bias',
    lmHead: architecture.tiedEmbeddings ? 'transformer.wte.weight' : 'lm_head.weight',
    excerpt: 'transformer.h.0.attn.c_attn.weight',
  };
}

export interface ExtrasInput {
  ids: number[];
  tensors: Record<string, TraceTensor>;
  /** The model's trace-extras.json; null when it has none (converted before it existed): no map, analogy or excerpt. */
  file: TraceExtrasFile | null;
  /** Present for byte-level BPE tokenizers, whose merges we can replay. */
  encoder: BpeEncoder | null;
  nLayer: number;
  prompt: string;
  decode: (id: number) => string;
  /** The lens as the graph computed it (graph-lens.ts); null for a model whose graph lacks it. */
  graphLens: LogitLensRow[] | null;
  /** The lens is left to the answer (Generation.logitLens): not missing, to come. */
  lensFromAnswer?: boolean;
}

export function computeExtras(input: ExtrasInput): TraceExtras {
  const file = input.file;
  const analogy = file?.analogy;
  return {
    logitLens: input.graphLens ?? [],
    ...(input.lensFromAnswer ? { logitLensFromAnswer: true } : {}),
    logitLensMissing: input.graphLens || input.lensFromAnswer ? [] : [{ part: EVERY_LENS_STAGE, needs: 'trace.lens.ids', reason: "the model's graph does not compute it: convert it again with today's converter" }],
    merges: input.encoder ? wordMerges(input.prompt, input.encoder) : [],
    embeddingSpace: file ? embeddingSpace(input, file) : { points: [], explainedVariance: [0, 0], skippedWords: [] },
    analogy: {
      words: analogy?.words ?? ['', '', ''],
      ids: analogy?.ids ?? [[], [], []],
      tokenTexts: (analogy?.ids ?? [[], [], []]).map((list) => list.map(input.decode)) as [string[], string[], string[]],
      neighbours: (analogy?.neighbours ?? []).map(({ id, cosine }) => ({ id, token: input.decode(id), cosine })),
    },
    weightExcerpt: file?.weightExcerpt ?? null,
  };
}

/** A weight read from the model file (tests and the converter only: the engine holds none). */
export interface WeightValues {
  shape: number[];
  data: Float32Array;
}

/**
 * softmax(head · norm_f(h)) of the last position's residual stream, from the weights: the reference the graph's
 * lens is tested against (tests/engine/graph-lens.test.ts), not run by the engine.
 */
export function logitLensFromWeights(
  input: Pick<ExtrasInput, 'tensors' | 'nLayer' | 'decode'> & { layerNormEpsilon: number },
  weights: ReadonlyMap<string, WeightValues>,
  names: ExtrasWeightNames,
): LogitLensRow[] {
  const head = weights.get(names.lmHead);
  const gain = weights.get(names.finalNormGain);
  const bias = names.finalNormBias === null ? null : weights.get(names.finalNormBias);
  if (!head || !gain || bias === undefined) return [];
  // The final norm as the model applies it: LayerNorm (GPT-2) or RMSNorm (Llama).
  const finalNorm = (x: ArrayLike<number>) =>
    bias === null ? rmsNorm(x, gain.data, input.layerNormEpsilon) : layerNorm(x, gain.data, bias.data, input.layerNormEpsilon);
  const [vocab, width] = head.shape;
  const present = logitLensStages(input.nLayer).filter((stage) => input.tensors[stage.output]);
  const normed = present.map((stage) => {
    const residual = input.tensors[stage.output];
    return finalNorm(residual.data.subarray(residual.data.length - width));
  });
  const allLogits = matVecMany(head.data, vocab, width, normed);
  return present.map(({ label }, i) => {
    const logits = allLogits[i];
    const probs = softmax(logits);
    return { label, top: topKIndices(probs, LOGIT_LENS_TOP).map((id) => ({ id, token: input.decode(id), prob: probs[id], logit: logits[id] })) };
  });
}

/** Each distinct word of the prompt (as pre-tokenized), with the merges that build its tokens. */
export function wordMerges(prompt: string, encoder: BpeEncoder): WordMerges[] {
  const seen = new Set<string>();
  const result: WordMerges[] = [];
  for (const word of pretokenize(prompt)) {
    if (seen.has(word)) continue;
    seen.add(word);
    const { start, steps } = encoder.mergeSteps(toByteLevel(word));
    result.push({ word, start, steps });
    if (result.length >= 64) break; // a slide shows a handful; a 256-token prompt need not ship all
  }
  return result;
}

/**
 * The map: the file's reference points and the prompt's word tokens (their embeddings as the graph returned them),
 * centred on the mean of all shown points, along the file's two axes; the explained variance is the share of the
 * shown points' total variance along each axis. A reference word in the prompt is one point (the same row).
 */
function embeddingSpace(input: ExtrasInput, file: TraceExtrasFile): TraceExtras['embeddingSpace'] {
  const map = file.embeddingMap;
  const width = map.mean.length;
  const tokens = input.tensors[embedOutputs.tokens];
  const promptPoints: { word: string; id: number; vector: Float32Array }[] = [];
  const used = new Set<number>();
  if (tokens && tokens.shape[tokens.shape.length - 1] === width) {
    input.ids.forEach((id, position) => {
      const word = input.decode(id);
      if (used.has(id) || !/\p{L}/u.test(word)) return; // words only: punctuation clutters the map
      used.add(id);
      promptPoints.push({ word, id, vector: tokens.data.subarray(position * width, (position + 1) * width) });
    });
  }
  const referenceIds = new Set(map.words.map((w) => w.id));
  const promptOnly = promptPoints.filter((p) => !referenceIds.has(p.id));
  const n = promptOnly.length + map.words.length;
  if (n === 0) return { points: [], explainedVariance: [0, 0], skippedWords: map.skippedWords };
  const mean = Float64Array.from(map.mean, (m) => (m * map.words.length) / n);
  for (const p of promptOnly) for (let i = 0; i < width; i++) mean[i] += p.vector[i] / n;
  const shift = Float64Array.from(map.mean, (m, i) => m - mean[i]); // the reference points' mean, seen from the shown points' mean
  const shiftAlong = map.axes.map((axis) => dot(shift, axis));
  const project = (v: ArrayLike<number>): [number, number] => {
    const xy: [number, number] = [0, 0];
    for (let i = 0; i < width; i++) {
      const centred = v[i] - mean[i];
      xy[0] += centred * map.axes[0][i];
      xy[1] += centred * map.axes[1][i];
    }
    return xy;
  };
  const referenceXy = map.coordinates.map(([x, y]) => [x + shiftAlong[0], y + shiftAlong[1]] as [number, number]);
  let total = map.spread + map.words.length * dot(shift, shift);
  const along = [0, 0];
  for (const [x, y] of referenceXy) {
    along[0] += x * x;
    along[1] += y * y;
  }
  for (const p of promptOnly) {
    const [x, y] = project(p.vector);
    along[0] += x * x;
    along[1] += y * y;
    for (let i = 0; i < width; i++) total += (p.vector[i] - mean[i]) ** 2;
  }
  const points: EmbeddingPoint[] = promptPoints.map((p) => ({ word: p.word, id: p.id, ...xyOf(project(p.vector)), fromPrompt: true }));
  map.words.forEach((w, i) => {
    if (!used.has(w.id)) points.push({ word: w.word, id: w.id, ...xyOf(referenceXy[i]), fromPrompt: false });
  });
  return { points, explainedVariance: [along[0] / (total || 1), along[1] / (total || 1)], skippedWords: map.skippedWords };
}

const xyOf = ([x, y]: [number, number]) => ({ x, y });
