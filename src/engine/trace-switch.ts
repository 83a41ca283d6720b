// The trace switches: a graph converted with them (src/convert/trace-branch-graph.ts) takes a bool
// `trace_outputs` on every call (transformers.js refuses a run with a graph input missing): true for the
// prompt's traced pass, false for a generation step, which then costs what the plain graph costs; and a bool
// `trace_lens` for the logit lens, which the answer can compute instead of the traced pass; and a bool
// `step_top` for a generation step's top 5 (src/convert/step-top-graph.ts). A graph
// converted before them has no such inputs and computes its trace outputs on every call, as it always did.
import { Tensor } from '@huggingface/transformers';
import { LENS_SWITCH_INPUT, STEP_TOP_SWITCH_INPUT, TRACE_SWITCH_INPUT } from '../trace/output-names';
import type { LoadedModel } from './load-model';

function graphInputs(loaded: Pick<LoadedModel, 'model'>): readonly string[] {
  return (loaded.model.sessions as Record<string, { inputNames: readonly string[] }> | undefined)?.model?.inputNames ?? [];
}

/** The model's graph takes the trace switch. */
export function hasTraceSwitch(loaded: Pick<LoadedModel, 'model'>): boolean {
  return graphInputs(loaded).includes(TRACE_SWITCH_INPUT);
}

/** The model's graph takes the logit lens's own switch: the lens can come from another call than the traced pass. */
export function hasLensSwitch(loaded: Pick<LoadedModel, 'model'>): boolean {
  return graphInputs(loaded).includes(LENS_SWITCH_INPUT);
}

/** The model's graph can give a generation step's top 5 (step.top.*) when asked. */
export function hasStepTopSwitch(loaded: Pick<LoadedModel, 'model'>): boolean {
  return graphInputs(loaded).includes(STEP_TOP_SWITCH_INPUT);
}

/**
 * The switches' feeds for this run (the lens's follows the trace's unless told; a step's top 5 is off unless
 * asked): nothing for a graph without them.
 */
export function traceSwitchFeeds(loaded: Pick<LoadedModel, 'model'>, traceOutputs: boolean, lens = traceOutputs, stepTop = false): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  const flag = (on: boolean) => new Tensor('bool', Uint8Array.of(on ? 1 : 0), []);
  if (hasTraceSwitch(loaded)) feeds[TRACE_SWITCH_INPUT] = flag(traceOutputs);
  if (hasLensSwitch(loaded)) feeds[LENS_SWITCH_INPUT] = flag(lens);
  if (hasStepTopSwitch(loaded)) feeds[STEP_TOP_SWITCH_INPUT] = flag(stepTop);
  return feeds;
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
