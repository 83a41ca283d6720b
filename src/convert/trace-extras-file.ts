// trace-extras.json, written beside a converted model's config.json: the weight-derived values of the slides
// that do not depend on the prompt, computed once at conversion so the engine never holds the weights in
// JavaScript: the embedding map's two axes and its reference words' points, the analogy's nearest tokens
// (a pass over the whole embedding table) and the excerpt of a weight matrix. The prompt's own points are
// projected on the map at run time from the token embeddings the graph returns (src/engine/trace-extras.ts).
import { pca2d } from '../maths/pca';
import { topKIndices } from '../maths/softmax';
import { cosine, dot } from '../maths/vectors';
import type { WeightExcerpt } from '../trace';

export const TRACE_EXTRAS_FILE = 'trace-extras.json';
export const TRACE_EXTRAS_VERSION = 1;

/** Words placed on the embedding map besides the prompt's own (single tokens with a leading space). */
export const EMBEDDING_MAP_WORDS = [
  ' war', ' peace', ' army', ' navy', ' soldiers', ' tax', ' taxes', ' revenue', ' dollars', ' economy',
  ' Congress', ' Senate', ' President', ' king', ' queen', ' man', ' woman', ' men', ' women',
  ' children', ' Monday', ' January', ' France', ' Britain', ' Mexico', ' China',
];
export const ANALOGY: [string, string, string] = [' king', ' man', ' woman'];
export const NEIGHBOURS = 8;

export interface TraceExtrasFile {
  version: number;
  /** The embedding table these values come from (its checkpoint name). */
  embeddings: string;
  embeddingMap: {
    /** The reference words that are one token, with their ids, in EMBEDDING_MAP_WORDS's order. */
    words: { word: string; id: number }[];
    /** Reference words of several tokens in this vocabulary: left off the map. */
    skippedWords: string[];
    /** The reference points' mean, and the map's two axes (unit vectors: their first two principal components). */
    mean: number[];
    axes: [number[], number[]];
    /** Each reference point's coordinates along the axes, about `mean`. */
    coordinates: [number, number][];
    /** Σ ‖r − mean‖² over the reference points: with the prompt's points, the total variance at run time. */
    spread: number;
  };
  analogy: {
    words: [string, string, string];
    ids: [number[], number[], number[]];
    /** Nearest tokens to vec(a) − vec(b) + vec(c) by cosine, the inputs' own tokens left out. */
    neighbours: { id: number; cosine: number }[];
  };
  weightExcerpt: WeightExcerpt | null;
}

export interface WeightMatrix {
  shape: number[];
  data: Float32Array;
}

export interface TraceExtrasSource {
  /** Checkpoint name and values of the token embedding table [vocab, width]. */
  embeddingsName: string;
  embeddings: WeightMatrix;
  /** The matrix excerpted on the training slide (the first layer's query projection), by its checkpoint name. */
  excerptName: string;
  excerpt: WeightMatrix | null;
  /** A word's token ids, as the deck's tokenizer encodes it (no special tokens). */
  tokenIds: (word: string) => number[];
}

export function buildTraceExtrasFile(source: TraceExtrasSource): TraceExtrasFile {
  return {
    version: TRACE_EXTRAS_VERSION,
    embeddings: source.embeddingsName,
    embeddingMap: embeddingMap(source),
    analogy: analogy(source),
    weightExcerpt: weightExcerpt(source.excerpt, source.excerptName),
  };
}

function rowOf(matrix: WeightMatrix): (id: number) => Float32Array {
  const width = matrix.shape[1];
  return (id) => matrix.data.subarray(id * width, (id + 1) * width);
}

function embeddingMap(source: TraceExtrasSource): TraceExtrasFile['embeddingMap'] {
  const row = rowOf(source.embeddings);
  const width = source.embeddings.shape[1];
  const words: { word: string; id: number }[] = [];
  const skippedWords: string[] = [];
  const seen = new Set<number>();
  for (const word of EMBEDDING_MAP_WORDS) {
    const ids = source.tokenIds(word);
    if (ids.length !== 1) skippedWords.push(word); // a map of single tokens: no averaging here
    else if (!seen.has(ids[0])) {
      seen.add(ids[0]);
      words.push({ word, id: ids[0] });
    }
  }
  const vectors = words.map(({ id }) => row(id));
  const mean = new Float64Array(width);
  for (const v of vectors) for (let i = 0; i < width; i++) mean[i] += v[i] / Math.max(1, vectors.length);
  const centred = vectors.map((v) => Float64Array.from({ length: width }, (_, i) => v[i] - mean[i]));
  const projection = pca2d(vectors, 5000); // once per model, a few dozen points: iterate until it converges
  // A principal axis a satisfies a = Σ (a·cᵢ) cᵢ / Σ (a·cᵢ)²: recovered from pca2d's coordinates, the second made
  // orthogonal to the first (what rounding leaves of their overlap), both of unit length.
  const axes: number[][] = [];
  for (const k of [0, 1]) {
    const axis = new Float64Array(width);
    projection.points.forEach((point, i) => {
      for (let j = 0; j < width; j++) axis[j] += point[k] * centred[i][j];
    });
    for (const previous of axes) {
      const overlap = dot(axis, previous);
      for (let j = 0; j < width; j++) axis[j] -= overlap * previous[j];
    }
    const length = Math.sqrt(dot(axis, axis));
    axes.push(Array.from(axis, (x) => (length > 0 ? x / length : 0)));
  }
  return {
    words,
    skippedWords,
    mean: Array.from(mean),
    axes: [axes[0], axes[1]],
    coordinates: centred.map((c) => [dot(c, axes[0]), dot(c, axes[1])]),
    spread: centred.reduce((sum, c) => sum + dot(c, c), 0),
  };
}

/** Nearest tokens to vec(a) − vec(b) + vec(c); a word of several tokens is the mean of their rows. */
function analogy(source: TraceExtrasSource): TraceExtrasFile['analogy'] {
  const row = rowOf(source.embeddings);
  const [vocab, width] = source.embeddings.shape;
  const ids = ANALOGY.map(source.tokenIds) as [number[], number[], number[]];
  const wordVector = (wordIds: number[]) =>
    Float64Array.from({ length: width }, (_, i) => wordIds.reduce((sum, id) => sum + row(id)[i], 0) / Math.max(1, wordIds.length));
  const [a, b, c] = ids.map(wordVector);
  const target = Float64Array.from({ length: width }, (_, i) => a[i] - b[i] + c[i]);
  const inputs = new Set(ids.flat());
  const similarity = new Float64Array(vocab);
  for (let id = 0; id < vocab; id++) similarity[id] = inputs.has(id) ? -Infinity : cosine(row(id), target);
  return { words: ANALOGY, ids, neighbours: topKIndices(similarity, NEIGHBOURS).map((id) => ({ id, cosine: similarity[id] })) };
}

export function weightExcerpt(weight: WeightMatrix | null, name: string, rows = 6, cols = 8): WeightExcerpt | null {
  if (!weight || weight.shape.length !== 2) return null;
  const [, width] = weight.shape;
  const values: number[][] = [];
  for (let r = 0; r < Math.min(rows, weight.shape[0]); r++) values.push(Array.from(weight.data.subarray(r * width, r * width + Math.min(cols, width))));
  return { name, shape: weight.shape, rowStart: 0, colStart: 0, values };
}

/** A parsed trace-extras.json, or null when it is not one this engine reads (absent, another version, malformed). */
export function parseTraceExtrasFile(text: string | null): TraceExtrasFile | null {
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text) as Partial<TraceExtrasFile>;
    if (parsed.version !== TRACE_EXTRAS_VERSION || !parsed.embeddingMap || !parsed.analogy) return null;
    return parsed as TraceExtrasFile;
  } catch {
    return null; // a dev server's index.html for a missing file, or a truncated download
  }
}
