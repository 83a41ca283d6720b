// A follow-up turn re-renders the whole conversation, so its input begins with the tokens the previous
// turn already read (and answered): the previous turn's KV cache holds them. This cuts that cache to
// the shared prefix and measures what reusing it saves: the prefill computing only the new tokens
// against a prefill recomputing all of them, in the same run.
import { topKIndices } from '../maths/softmax';
import type { PrefixReuse } from '../trace';
import { forward, lastPositionLogits } from './forward';
import { commonPrefixLength, disposeGpuTensors, sliceCache, type KvCache } from './kv-cache';
import type { LoadedModel } from './load-model';

export interface PrefixReuseResult {
  reuse: PrefixReuse;
  /** The previous cache cut to the shared prefix, to start the answer from; null when nothing is shared. */
  startCache: KvCache | null;
  /** The last position's logits of both prefills (for the tests' comparison). */
  logits: { reused: Float32Array; full: Float32Array };
}

/** How many of `ids` a cache for `cachedIds` can serve: the shared prefix, leaving at least one id to compute. */
export function reusableLength(ids: readonly number[], cachedIds: readonly number[]): number {
  return Math.max(0, Math.min(commonPrefixLength(ids, cachedIds), ids.length - 1));
}

export async function measurePrefixReuse(loaded: LoadedModel, ids: number[], previous: KvCache): Promise<PrefixReuseResult> {
  const shared = reusableLength(ids, previous.ids);
  const fullStarted = performance.now();
  const fullOutputs = await forward(loaded, ids, 0, null);
  const full = lastPositionLogits(fullOutputs);
  const fullPrefillMs = performance.now() - fullStarted;
  disposeGpuTensors(Object.values(fullOutputs));
  if (shared === 0) {
    // Nothing in common (another system message, a new first turn): the prefill is the full one.
    const reuse = { cachedTokens: 0, inputTokens: ids.length, reusedPrefillMs: fullPrefillMs, fullPrefillMs, sameFirstToken: true };
    return { reuse, startCache: null, logits: { reused: full, full } };
  }
  const startCache: KvCache = { ids: ids.slice(0, shared), past: sliceCache(previous.past, shared) };
  const reusedPrefill = async () => {
    const started = performance.now();
    const outputs = await forward(loaded, ids.slice(shared), shared, startCache.past);
    const logits = lastPositionLogits(outputs);
    const ms = performance.now() - started;
    disposeGpuTensors(Object.values(outputs));
    return { logits, ms };
  };
  // Both timed on their shape's second run: the full prefill's first was the Trace's forward pass (the
  // same ids); a first run of the reused shape pays for the runtime's set-up, so one runs untimed first.
  await reusedPrefill();
  const { logits: reused, ms: reusedPrefillMs } = await reusedPrefill();
  const sameFirstToken = topKIndices(reused, 1)[0] === topKIndices(full, 1)[0];
  return { reuse: { cachedTokens: shared, inputTokens: ids.length, reusedPrefillMs, fullPrefillMs, sameFirstToken }, startCache, logits: { reused, full } };
}
