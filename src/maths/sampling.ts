// Turning next-token logits into a choice: greedy, temperature, top-k, top-p, and a seeded draw.
// Written by hand: these are a few lines each, and the sampling slide shows every intermediate.
import { softmax, topKIndices } from './softmax';

export interface SamplingSettings {
  /** 0 means greedy (always the likeliest token). */
  temperature: number;
  /** Keep only the k likeliest tokens (0 = no limit). */
  topK: number;
  /** Keep the smallest set of likeliest tokens whose probabilities sum to at least p (1 = no limit). */
  topP: number;
}

export const GREEDY: SamplingSettings = { temperature: 0, topK: 0, topP: 1 };

/** mulberry32: a tiny seeded PRNG, so a "random" draw on stage is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The distribution a sampler actually draws from: softmax(logits / T), cut to top-k and top-p,
 * renormalised. Greedy (T = 0) puts all mass on the argmax.
 */
export function samplingDistribution(logits: ArrayLike<number>, settings: SamplingSettings): Float64Array {
  if (settings.temperature <= 0) {
    const out = new Float64Array(logits.length);
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    out[best] = 1;
    return out;
  }
  const probs = softmax(logits, settings.temperature);
  const order = likeliestFirst(probs, settings);
  const keep = new Uint8Array(probs.length);
  let cumulative = 0;
  for (let rank = 0; rank < order.length; rank++) {
    if (settings.topK > 0 && rank >= settings.topK) break;
    if (rank > 0 && cumulative >= settings.topP) break;
    keep[order[rank]] = 1;
    cumulative += probs[order[rank]];
  }
  let kept = 0;
  for (let i = 0; i < probs.length; i++) kept += keep[i] ? probs[i] : 0;
  for (let i = 0; i < probs.length; i++) probs[i] = keep[i] ? probs[i] / kept : 0;
  return probs;
}

/** Past this many, the top k are found by sorting the whole vocabulary. */
const PARTIAL_RANKING = 256;

/**
 * Ids likeliest first (ties: lower id first), as many as the top-k and top-p cut can reach: the top k alone
 * when k is small, the likeliest 256 when they already pass top-p; the whole vocabulary sorted otherwise.
 * Sorting 49,152 ids at every generated token took milliseconds; the cut rarely looks past the first few.
 */
function likeliestFirst(probs: Float64Array, { topK, topP }: SamplingSettings): number[] {
  if (topK > 0 && topK <= PARTIAL_RANKING) return topKIndices(probs, topK);
  if (topK === 0 && topP < 1) {
    const head = topKIndices(probs, PARTIAL_RANKING);
    let cumulative = 0;
    for (const id of head) cumulative += probs[id];
    if (cumulative >= topP) return head;
  }
  return Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
}

/**
 * The ids a draw walks: those with probability > 0, likeliest first (ties: lower id first), the order
 * in which the sampling slide shows its bars, so the audience can add the bars up to find where u lands.
 */
export function drawOrder(distribution: ArrayLike<number>): number[] {
  const ids: number[] = [];
  for (let i = 0; i < distribution.length; i++) if (distribution[i] > 0) ids.push(i);
  return ids.sort((a, b) => distribution[b] - distribution[a] || a - b);
}

/**
 * Draws an index from a distribution with one uniform number in [0, 1): the first id, in drawOrder,
 * whose cumulative probability passes u. The engine's seeded answers use it too, so they match the slide.
 */
export function drawFrom(distribution: ArrayLike<number>, uniform: number): number {
  const order = drawOrder(distribution);
  let cumulative = 0;
  for (const id of order) {
    cumulative += distribution[id];
    if (uniform < cumulative) return id;
  }
  return order.at(-1) ?? 0; // rounding left the sum a hair under 1
}
