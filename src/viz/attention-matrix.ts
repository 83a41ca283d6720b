// Reads one layer's attention probabilities out of a Trace and checks they have the shape the views expect.
import { layerOutput } from '../trace/output-names';
import { tensorRow, type Trace, type TraceTensor } from '../trace';

export type AttentionLookup =
  | { ok: true; name: string; probs: TraceTensor; heads: number; queries: number; keys: number }
  | { ok: false; name: string; problem: string; missing: string[] };

/** trace.layer.L.attn.probs, shape [heads, queries, keys], with queries = keys = the prompt's tokens. */
export function attentionProbs(trace: Trace, layer: number): AttentionLookup {
  const name = layerOutput(layer, 'attn.probs');
  const probs = trace.tensors[name];
  if (!probs) {
    return { ok: false, name, missing: [name], problem: `This model's graph does not expose ${name}, the attention weights of layer ${layer}, so there is nothing real to draw.` };
  }
  const [heads, queries, keys] = probs.shape;
  const tokens = trace.tokens.length;
  const expected = heads * queries * keys;
  if (probs.shape.length !== 3 || queries !== tokens || keys !== tokens || heads < 1 || probs.data.length !== expected) {
    return {
      ok: false,
      name,
      missing: [],
      problem: `${name} has shape [${probs.shape.join(', ')}] with ${probs.data.length} values; this slide expects [heads, ${tokens}, ${tokens}] for ${tokens} tokens.`,
    };
  }
  return { ok: true, name, probs, heads, queries, keys };
}

/** The weights one query gives every key (masked keys included, as zeros). */
export function attentionRow(lookup: Extract<AttentionLookup, { ok: true }>, head: number, query: number): Float32Array {
  return tensorRow(lookup.probs, head, query);
}

/** Keys a query may attend to: itself and every earlier token (GPT-2's causal mask). */
export function isCausallyMasked(query: number, key: number): boolean {
  return key > query;
}

export interface FocusedHead {
  layer: number;
  head: number;
  key: number;
  weight: number;
}

/** The layer and head whose largest weight for this query is the largest: the most "decided" head. */
export function mostFocusedHead(trace: Trace, query: number): FocusedHead | null {
  let best: FocusedHead | null = null;
  for (let layer = 0; layer < trace.model.nLayer; layer++) {
    const lookup = attentionProbs(trace, layer);
    if (!lookup.ok || query < 0 || query >= lookup.queries) continue;
    for (let head = 0; head < lookup.heads; head++) {
      const row = attentionRow(lookup, head, query);
      for (let key = 0; key <= query; key++) {
        if (!best || row[key] > best.weight) best = { layer, head, key, weight: row[key] };
      }
    }
  }
  return best;
}

/** Keys 0..query, sorted by weight, largest first (ties: earlier key first). */
export function keysByWeight(row: ArrayLike<number>, query: number): number[] {
  const keys = Array.from({ length: query + 1 }, (_, key) => key);
  return keys.sort((a, b) => row[b] - row[a] || a - b);
}
