// Values the slides show that need the model's weights or merges, not only its activations:
// the logit lens, the BPE merges of the prompt's words, an embedding map, an analogy, a weight excerpt.
import type { Weight } from '../convert/onnx-reader';
import { pca2d } from '../maths/pca';
import { softmax, topKIndices } from '../maths/softmax';
import { cosine, layerNorm, matVecMany, rmsNorm } from '../maths/vectors';
import { toByteLevel } from '../tokenize/byte-level';
import type { BpeEncoder } from '../tokenize/bpe-encoder';
import { pretokenize } from '../tokenize/pretokenize';
import type { AnalogyResult, EmbeddingPoint, LogitLensRow, MissingPart, ModelArchitecture, TraceExtras, TraceTensor, WeightExcerpt, WordMerges } from '../trace';
import { EVERY_LENS_STAGE, LOGIT_LENS_TOP, logitLensStages } from '../trace/logit-lens';

/** Words placed on the embedding map besides the prompt's own (single tokens with a leading space). */
export const EMBEDDING_MAP_WORDS = [
  ' war', ' peace', ' army', ' navy', ' soldiers', ' tax', ' taxes', ' revenue', ' dollars', ' economy',
  ' Congress', ' Senate', ' President', ' king', ' queen', ' man', ' woman', ' men', ' women',
  ' children', ' Monday', ' January', ' France', ' Britain', ' Mexico', ' China',
];
export const ANALOGY: [string, string, string] = [' king', ' man', ' woman'];
export { LOGIT_LENS_TOP };
export const NEIGHBOURS = 8;
/** The initializers the extras read, by their Hugging Face names in each family's checkpoints. */
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

export function extrasWeightNames(architecture: ModelArchitecture): ExtrasWeightNames {
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

/** The initializers computeExtras reads: copied out of the ONNX file once, at load. */
export function weightsForExtras(architecture: ModelArchitecture): string[] {
  const names = extrasWeightNames(architecture);
  return [...new Set([names.embeddings, names.finalNormGain, names.finalNormBias, names.lmHead, names.excerpt].filter((name) => name !== null))];
}

export interface ExtrasInput {
  ids: number[];
  tensors: Record<string, TraceTensor>;
  weights: ReadonlyMap<string, Weight>;
  /** Present for byte-level BPE tokenizers, whose merges we can replay. */
  encoder: BpeEncoder | null;
  architecture: ModelArchitecture;
  layerNormEpsilon: number;
  nLayer: number;
  prompt: string;
  /** A word's token ids. */
  tokenIds: (word: string) => number[];
  decode: (id: number) => string;
  /** The lens as the graph computed it (graph-lens.ts); null or absent: computed here from the weights (older models). */
  graphLens?: LogitLensRow[] | null;
}

export function computeExtras(input: ExtrasInput): TraceExtras | null {
  const names = extrasWeightNames(input.architecture);
  const embeddings = input.weights.get(names.embeddings);
  if (!embeddings) return null;
  return {
    logitLens: input.graphLens ?? logitLens(input, names),
    logitLensMissing: input.graphLens ? [] : logitLensMissing(input, names),
    merges: input.encoder ? wordMerges(input.prompt, input.encoder) : [],
    embeddingSpace: embeddingSpace(input, embeddings),
    analogy: analogyOf(input, embeddings),
    weightExcerpt: weightExcerpt(input.weights.get(names.excerpt), names.excerpt),
  };
}

/** softmax(head · norm_f(h)) of the last position's residual stream: the embeddings, then after the chosen layers. */
export function logitLens(input: ExtrasInput, names: ExtrasWeightNames): LogitLensRow[] {
  const head = input.weights.get(names.lmHead);
  const gain = input.weights.get(names.finalNormGain);
  const bias = names.finalNormBias === null ? null : input.weights.get(names.finalNormBias);
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
  // One pass over the head for every stage: it is the largest matrix, read once (matVecMany).
  const allLogits = matVecMany(head.data, vocab, width, normed);
  return present.map(({ label }, i) => {
    const logits = allLogits[i];
    const probs = softmax(logits);
    return { label, top: topKIndices(probs, LOGIT_LENS_TOP).map((id) => ({ id, token: input.decode(id), prob: probs[id], logit: logits[id] })) };
  });
}

/** What the logit lens could not compute, and why: the weights its head and final norm need, then stages without their residual output. */
export function logitLensMissing(input: ExtrasInput, names: ExtrasWeightNames): MissingPart[] {
  const weights = [names.lmHead, names.finalNormGain, ...(names.finalNormBias === null ? [] : [names.finalNormBias])];
  const unread = weights.filter((name) => !input.weights.has(name));
  if (unread.length > 0) return unread.map((needs) => ({ part: EVERY_LENS_STAGE, needs, reason: 'the weight could not be read from the model' }));
  return logitLensStages(input.nLayer)
    .filter((stage) => !input.tensors[stage.output])
    .map((stage) => ({ part: stage.label, needs: stage.output, reason: "the model's graph does not expose it" }));
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

function embeddingSpace(input: ExtrasInput, embeddings: Weight): TraceExtras['embeddingSpace'] {
  const width = embeddings.shape[1];
  const row = (id: number) => embeddings.data.subarray(id * width, (id + 1) * width);
  const points: Omit<EmbeddingPoint, 'x' | 'y'>[] = [];
  const skippedWords: string[] = [];
  const used = new Set<number>();
  for (const id of input.ids) {
    const word = input.decode(id);
    if (used.has(id) || !/\p{L}/u.test(word)) continue; // words only: punctuation clutters the map
    used.add(id);
    points.push({ word, id, fromPrompt: true });
  }
  for (const word of EMBEDDING_MAP_WORDS) {
    const wordIds = input.tokenIds(word);
    const id = wordIds[0];
    if (wordIds.length !== 1) skippedWords.push(word); // a map of single tokens: no averaging here
    else if (!used.has(id)) {
      used.add(id);
      points.push({ word, id, fromPrompt: false });
    }
  }
  const projection = pca2d(points.map((p) => row(p.id)));
  return {
    points: points.map((p, i) => ({ ...p, x: projection.points[i][0], y: projection.points[i][1] })),
    explainedVariance: projection.explainedVariance,
    skippedWords,
  };
}

// The analogy does not depend on the prompt: computed once per embedding table.
const analogyCache = new WeakMap<Weight, AnalogyResult>();
function analogyOf(input: ExtrasInput, embeddings: Weight): AnalogyResult {
  let result = analogyCache.get(embeddings);
  if (!result) analogyCache.set(embeddings, (result = analogy(input, embeddings)));
  return result;
}

/**
 * Nearest tokens to vec(a) - vec(b) + vec(c) by cosine similarity. A word that is several tokens
 * in this vocabulary (" king" may be " k" + "ing") is the mean of its tokens' embeddings.
 */
export function analogy(input: ExtrasInput, embeddings: Weight): AnalogyResult {
  const [vocab, width] = embeddings.shape;
  const row = (id: number) => embeddings.data.subarray(id * width, (id + 1) * width);
  const ids = ANALOGY.map(input.tokenIds) as [number[], number[], number[]];
  const wordVector = (wordIds: number[]) =>
    Float64Array.from({ length: width }, (_, i) => wordIds.reduce((sum, id) => sum + row(id)[i], 0) / wordIds.length);
  const [a, b, c] = ids.map(wordVector);
  const target = Float64Array.from({ length: width }, (_, i) => a[i] - b[i] + c[i]);
  const inputs = new Set(ids.flat());
  const similarity = new Float64Array(vocab);
  for (let id = 0; id < vocab; id++) similarity[id] = inputs.has(id) ? -Infinity : cosine(row(id), target);
  const neighbours = topKIndices(similarity, NEIGHBOURS).map((id) => ({ id, token: input.decode(id), cosine: similarity[id] }));
  const tokenTexts = ids.map((list) => list.map(input.decode)) as [string[], string[], string[]];
  return { words: ANALOGY, ids, tokenTexts, neighbours };
}

export function weightExcerpt(weight: Weight | undefined, name: string, rows = 6, cols = 8): WeightExcerpt | null {
  if (!weight || weight.shape.length !== 2) return null;
  const [, width] = weight.shape;
  const values: number[][] = [];
  for (let r = 0; r < Math.min(rows, weight.shape[0]); r++) values.push(Array.from(weight.data.subarray(r * width, r * width + Math.min(cols, width))));
  return { name, shape: weight.shape, rowStart: 0, colStart: 0, values };
}
