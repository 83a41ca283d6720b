// The trace outputs as the graph gives them: each per-layer value stacked with the other layers' values of its kind
// into one output, trace.layers.<kind> [L * b, ...] (why: src/trace/stacked-layer-outputs.ts); every other traced
// value copied to its own output name.
import { attr, type Dim, type GraphBuilder } from './onnx-writer';
import { layerOutputParts, stackedLayerOutput } from '../trace/stacked-layer-outputs';

export interface TracedValue {
  /** The Trace's name for it (output-names.ts). */
  name: string;
  /** The graph value it is. */
  value: string;
  shape: Dim[];
}

/** The graph value behind a traced name (the logit lens reads the residual stream by its trace name). */
export function tracedValue(traced: readonly TracedValue[]): (name: string) => string {
  return (name) => {
    const found = traced.find((value) => value.name === name);
    if (!found) throw new Error(`${name} is not traced`);
    return found.value;
  };
}

/** Adds the nodes that give the traced values their outputs; returns the outputs to declare, in forward-pass order. */
export function traceOutputNodes(g: GraphBuilder, traced: TracedValue[], nLayer: number): { name: string; shape: Dim[] }[] {
  const outputs: { name: string; shape: Dim[] }[] = [];
  const stacks = new Map<string, TracedValue[]>();
  for (const value of traced) {
    const parts = layerOutputParts(value.name);
    if (!parts) {
      g.node('Identity', value.name, [value.value], { outputs: [value.name] }); // one value cannot carry two names
      outputs.push({ name: value.name, shape: value.shape });
      continue;
    }
    if (!stacks.has(parts.kind)) {
      stacks.set(parts.kind, []);
      outputs.push({ name: stackedLayerOutput(parts.kind), shape: [`layers_x_${value.shape[0]}`, ...value.shape.slice(1)] });
    }
    stacks.get(parts.kind)![parts.layer] = value;
  }
  for (const [kind, layers] of stacks) {
    // Array.from: a layer never traced is a hole, which some() would skip.
    if (layers.length !== nLayer || Array.from(layers).some((layer) => layer === undefined)) throw new Error(`trace output ${kind} is not traced in every one of the ${nLayer} layers`);
    // Concatenated along their first (batch) axis, [L * b, ...]: one node and one copy of the values, where an
    // Unsqueeze per layer before the Concat took L + 1 nodes and two copies (onnxruntime-web pays per node).
    g.node('Concat', stackedLayerOutput(kind), layers.map(({ value }) => value), { attributes: { axis: attr.int(0) }, outputs: [stackedLayerOutput(kind)] });
  }
  return outputs;
}
