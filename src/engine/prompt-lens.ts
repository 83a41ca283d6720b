// The logit lens at the prompt's last position when the Trace left it out (a deferred lens): computed by a call of
// its own, either over the whole prompt or, once an answer has kept its KV cache, as one step over the prompt's
// last token against the cache cut to the tokens before it (the lens needs that position's residuals only).
import type { LogitLensRow } from '../trace';
import type { KnockOut } from '../trace/knock-out';
import { forward } from './forward';
import { graphLogitLens } from './graph-lens';
import { disposeGpuTensors, sliceCache, type KvCache } from './kv-cache';
import type { LoadedModel } from './load-model';
import { describeToken } from './run-trace';

/**
 * The lens over `promptIds`: one step against `cache` when it holds the prompt's first n − 1 ids on the CPU (an
 * answer's kept cache does), else a pass over the whole prompt. Null when the graph computes no lens.
 */
export async function promptLens(loaded: LoadedModel, promptIds: number[], knockOut: KnockOut | null | undefined, cache?: KvCache | null): Promise<LogitLensRow[] | null> {
  const before = promptIds.length - 1;
  const onCpu = cache && Object.values(cache.past).every((tensor) => tensor.location !== 'gpu-buffer'); // a GPU cache is not cut here
  const fromCache = cache && onCpu && before > 0 && cache.ids.length >= before && promptIds.slice(0, before).every((id, i) => cache.ids[i] === id);
  const outputs = fromCache
    ? await forward(loaded, promptIds.slice(before), before, sliceCache(cache.past, before), { knockOut, lens: true })
    : await forward(loaded, promptIds, 0, null, { knockOut, lens: true });
  const rows = graphLogitLens(outputs, loaded.traceOutputs, loaded.info.nLayer, (id) => describeToken(loaded, id).text);
  disposeGpuTensors(Object.values(outputs));
  return rows;
}
