// The trace outputs behind a switch: a bool input, `trace_outputs`, decides whether a run computes them.
// Every node the logits and the KV cache (present.*) need stays in the main graph; every other node (the
// trace's Identity copies, the logit lens, the attribution's products...) moves into the then-branch of one
// ONNX `If` on the switch, whose else-branch gives empty tensors. onnxruntime runs every node of a graph
// whatever outputs a run asks for, so this is what lets a generation step cost what the plain model costs,
// with one graph and one copy of the weights (the branch reads them from the main graph's scope).
import { AttributeType, DataType, type NodeProto, type ValueInfoProto } from './onnx-proto';
import type { GraphBuilder } from './onnx-writer';
import { isStepOutput, TRACE_SWITCH_INPUT } from '../trace/output-names';

export interface SwitchableGraph {
  nodes: NodeProto[];
  outputs: ValueInfoProto[];
}

/** Declares the switch input (a bool scalar) and has the builder put the trace outputs behind it when it writes the graph. */
export function declareTraceSwitch(g: GraphBuilder): string {
  const input = g.input(TRACE_SWITCH_INPUT, 'bool', []);
  g.switchTraceOutputs(input);
  return input;
}

/**
 * Returns the graph's nodes with the trace's moved into one `If` on `switchInput`; the outputs keep their
 * names and order. `uniqueName` names the new nodes and values.
 */
export function switchTraceNodes({ nodes, outputs }: SwitchableGraph, switchInput: string, uniqueName: (hint: string) => string): NodeProto[] {
  const producer = new Map<string, NodeProto>();
  for (const node of nodes) for (const output of node.output) producer.set(output, node);

  // The always-computed nodes: everything the logits and the cache depend on.
  const needed = new Set<NodeProto>();
  const pending = outputs.filter(({ name }) => isStepOutput(name)).map(({ name }) => name);
  while (pending.length > 0) {
    const node = producer.get(pending.pop()!);
    if (!node || needed.has(node)) continue;
    needed.add(node);
    pending.push(...node.input.filter((value) => value !== ''));
  }
  const traceOutputs = outputs.filter(({ name }) => !isStepOutput(name));
  if (traceOutputs.length === 0) return nodes;
  for (const { name } of traceOutputs) {
    const source = producer.get(name);
    // The converters copy each traced value to its output name with an Identity, so this never happens; an If
    // output cannot share its name with a value of the main graph.
    if (!source || needed.has(source)) throw new Error(`trace output ${name} is not computed by a trace-only node`);
  }

  const typeOnly = ({ name, type }: ValueInfoProto): ValueInfoProto => ({ name, type: { tensor_type: { elem_type: type.tensor_type.elem_type } } });
  const thenBranch = { name: 'trace_outputs_on', node: nodes.filter((node) => !needed.has(node)), initializer: [], input: [], output: traceOutputs.map(typeOnly) };
  const empties = traceOutputs.map((output) => emptyConstant(output, uniqueName(`${output.name}.off`)));
  const elseBranch = { name: 'trace_outputs_off', node: empties, initializer: [], input: [], output: empties.map((node, i) => typeOnly({ ...traceOutputs[i], name: node.output[0] })) };
  const switchNode: NodeProto = {
    name: uniqueName('trace_outputs.switch'),
    op_type: 'If',
    input: [switchInput],
    output: traceOutputs.map(({ name }) => name),
    attribute: [
      { name: 'then_branch', type: AttributeType.GRAPH, g: thenBranch },
      { name: 'else_branch', type: AttributeType.GRAPH, g: elseBranch },
    ],
  };
  return [...nodes.filter((node) => needed.has(node)), switchNode];
}

const BYTES_PER_ELEMENT: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.INT64]: 8, [DataType.BOOL]: 1, [DataType.FLOAT16]: 2 };

/**
 * A Constant standing in for an output when the switch is off: no elements where the declared shape has a
 * symbolic dimension (0 there, the fixed sizes kept, so onnxruntime's check of the declared shape passes
 * without a warning each step); zeros of the declared shape when every dimension is fixed.
 */
function emptyConstant({ type }: ValueInfoProto, name: string): NodeProto {
  const { elem_type, shape } = type.tensor_type;
  const dims = (shape?.dim ?? []).map((dim) => ('dim_value' in dim ? Number(dim.dim_value) : 0));
  const elements = dims.reduce((count, size) => count * size, 1);
  const bytes = BYTES_PER_ELEMENT[elem_type];
  if (bytes === undefined) throw new Error(`no empty value for element type ${elem_type}`);
  return {
    name,
    op_type: 'Constant',
    input: [],
    output: [name],
    attribute: [{ name: 'value', type: AttributeType.TENSOR, t: { name, dims, data_type: elem_type, raw_data: new Uint8Array(elements * bytes) } }],
  };
}
