// The trace switch: a graph converted with it (src/convert/trace-branch-graph.ts) takes a bool
// `trace_outputs` on every call (transformers.js refuses a run with a graph input missing): true for the
// prompt's traced pass, false for a generation step, which then costs what the plain graph costs. A graph
// converted before it has no such input and computes its trace outputs on every call, as it always did.
import { Tensor } from '@huggingface/transformers';
import { TRACE_SWITCH_INPUT } from '../trace/output-names';
import type { LoadedModel } from './load-model';

/** The model's graph takes the trace switch. */
export function hasTraceSwitch(loaded: Pick<LoadedModel, 'model'>): boolean {
  const session = (loaded.model.sessions as Record<string, { inputNames: readonly string[] }> | undefined)?.model;
  return Boolean(session?.inputNames.includes(TRACE_SWITCH_INPUT));
}

/** The switch's feed for this run: nothing for a graph without it. */
export function traceSwitchFeeds(loaded: Pick<LoadedModel, 'model'>, traceOutputs: boolean): Record<string, Tensor> {
  if (!hasTraceSwitch(loaded)) return {};
  return { [TRACE_SWITCH_INPUT]: new Tensor('bool', Uint8Array.of(traceOutputs ? 1 : 0), []) };
}

/**
 * transformers.js's generate() hands the model only the kwargs named in its `forward_params`: naming the
 * graph's own inputs there (the switch, the knock-out masks) lets generate({ ...ids, ...feeds }) drive the graph.
 * Returns `feeds`, to spread into generate()'s arguments.
 */
export function feedThroughGenerate<Feeds extends Record<string, Tensor>>(model: LoadedModel['model'], feeds: Feeds): Feeds {
  const params = (model as unknown as { forward_params: string[] }).forward_params;
  for (const name of Object.keys(feeds)) if (!params.includes(name)) params.push(name);
  return feeds;
}
