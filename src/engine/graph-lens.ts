// The logit lens as the graph computed it (trace.lens.*, src/convert/logit-lens-graph.ts): [stages, k] ids,
// probabilities and logits, labelled with the stages of src/trace/logit-lens.ts. Older models lack these
// outputs; the engine then computes the lens itself from the weights (trace-extras.ts).
import type { Tensor } from '@huggingface/transformers';
import type { LogitLensRow } from '../trace';
import { logitLensStages } from '../trace/logit-lens';
import { logitLensOutputs } from '../trace/output-names';

/**
 * The rows of the graph's lens, or null when the graph has none for this call (an older model, or a call with a
 * cache, which gives the last stage only). `exposed`: the trace outputs the engine reads (LoadedModel.traceOutputs).
 */
export function graphLogitLens(outputs: Record<string, Tensor>, exposed: readonly string[], nLayer: number, decode: (id: number) => string): LogitLensRow[] | null {
  const read = (name: string) => (exposed.includes(name) ? outputs[name] : undefined);
  const ids = read(logitLensOutputs.ids);
  const probs = read(logitLensOutputs.probs);
  const logits = read(logitLensOutputs.logits);
  const stages = logitLensStages(nLayer);
  if (!ids || !probs || !logits || ids.dims.length !== 3 || ids.dims[1] !== stages.length) return null;
  const k = ids.dims[2];
  const idData = ids.data as BigInt64Array;
  const probData = probs.data as Float32Array;
  const logitData = logits.data as Float32Array;
  return stages.map(({ label }, stage) => ({
    label,
    top: Array.from({ length: k }, (_, rank) => {
      const at = stage * k + rank; // batch 1: the first row of [b, S, k]
      const id = Number(idData[at]);
      return { id, token: decode(id), prob: probData[at], logit: logitData[at] };
    }),
  }));
}
