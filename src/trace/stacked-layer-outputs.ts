// Per-layer trace outputs leave the graph stacked: one output per kind, `trace.layers.<kind>` [L * b, ...] (the L
// layers' [b, ...] values concatenated along their first axis: one Concat, no node per layer), rather than L outputs
// `trace.layer.N.<kind>` [b, ...]. onnxruntime pays a fixed cost for every output of a run (and, on
// WebGPU, one read-back from the GPU each): 17 × 30 of them per prompt on a 30-layer model. The engine and the tests
// split the stacks back into the per-layer names, which stay the Trace's contract (output-names.ts).
import { layerOutput, type LayerOutputKind } from './output-names';

export const STACKED_PREFIX = 'trace.layers.';

/** The graph output holding every layer's `kind`. */
export const stackedLayerOutput = (kind: string) => `${STACKED_PREFIX}${kind}`;

const LAYER_OUTPUT = /^trace\.layer\.(\d+)\.(.+)$/;

/** The layer and kind of a per-layer trace output name; null for any other name. */
export function layerOutputParts(name: string): { layer: number; kind: string } | null {
  const match = LAYER_OUTPUT.exec(name);
  return match ? { layer: Number(match[1]), kind: match[2] } : null;
}

/** The output names with each stack replaced by its per-layer names, in layer order. */
export function unstackedNames(outputNames: readonly string[], nLayer: number): string[] {
  return outputNames.flatMap((name) =>
    name.startsWith(STACKED_PREFIX)
      ? Array.from({ length: nLayer }, (_, layer) => layerOutput(layer, name.slice(STACKED_PREFIX.length) as LayerOutputKind))
      : [name],
  );
}

interface Viewable<T> {
  length: number;
  subarray(start: number, end: number): T;
}

/** A stack [layers * b, ...rest] as `layers` views of its data, each with dims [b, ...rest]. */
export function splitLayers<T extends Viewable<T>>(data: T, dims: readonly number[], layers: number): { data: T; dims: number[] }[] {
  const [stacked, ...rest] = dims;
  const layerDims = [stacked / layers, ...rest];
  const size = layerDims.reduce((count, dim) => count * dim, 1);
  if (!Number.isInteger(layerDims[0]) || data.length !== layers * size) throw new Error(`a stack of ${layers} layers cannot have the shape [${dims.join(', ')}] with ${data.length} values`);
  return Array.from({ length: layers }, (_, layer) => ({ data: data.subarray(layer * size, (layer + 1) * size), dims: layerDims }));
}

/**
 * The outputs with every stack replaced by its `nLayer` layers, under their per-layer names; `make` builds the
 * library's tensor (transformers.js's or onnxruntime's) from a view of the stack's data.
 */
export function unstackOutputs<Tensor extends { data: unknown; dims: readonly number[] }>(
  outputs: Record<string, Tensor>,
  nLayer: number,
  make: (source: Tensor, data: Float32Array, dims: number[]) => Tensor,
): Record<string, Tensor> {
  const named: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    if (!name.startsWith(STACKED_PREFIX)) {
      named[name] = tensor;
      continue;
    }
    const kind = name.slice(STACKED_PREFIX.length) as LayerOutputKind;
    splitLayers(tensor.data as Float32Array, tensor.dims, nLayer).forEach(({ data, dims }, layer) => {
      named[layerOutput(layer, kind)] = make(tensor, data, dims);
    });
  }
  return named;
}
