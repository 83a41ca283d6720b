// The trace outputs behind switches: a bool input, `trace_outputs`, decides whether a run computes them; the logit
// lens has its own, `trace_lens`, and a generation step's top 5 its own, `step_top`. Every node the logits and the
// KV cache (present.*) need stays in the main graph; every other node (the trace's Identity copies, the
// attribution's products...; the lens's; the step's top 5) moves into the then-branch of one ONNX `If` per switch,
// whose else-branch gives empty tensors. onnxruntime runs every node of a graph whatever outputs a run asks for, so
// this is what lets a generation step cost what the plain model costs, with one graph and one copy of the weights
// (the branches read them from the main graph's scope).
import { AttributeType, DataType, type NodeProto, type ValueInfoProto } from './onnx-proto';
import type { GraphBuilder } from './onnx-writer';
import { isLogitLensOutput, isStepOutput, isStepTopOutput, LENS_SWITCH_INPUT, STEP_TOP_SWITCH_INPUT, TRACE_SWITCH_INPUT } from '../trace/output-names';

export interface SwitchableGraph {
  nodes: NodeProto[];
  outputs: ValueInfoProto[];
}

/** A bool graph input and the trace outputs it decides: true computes them, false gives them empty. */
export interface OutputSwitch {
  input: string;
  /** The outputs behind this switch; a later switch in the list takes only what no earlier one took. */
  gates: (output: string) => boolean;
  /** The If's name, and its branches' (`<name>_on`, `<name>_off`). */
  name: string;
}

/** Declares the switch input (a bool scalar) and has the builder put the trace outputs behind it when it writes the graph. */
export function declareTraceSwitch(g: GraphBuilder): string {
  const input = g.input(TRACE_SWITCH_INPUT, 'bool', []);
  g.switchOutputs({ input, gates: (output) => !isStepOutput(output), name: 'trace_outputs' });
  return input;
}

/**
 * Declares the logit lens's own switch (a bool scalar): its nodes read only values the logits need, so a call can
 * compute the lens without the rest of the trace (the answer's first step does), or the trace without the lens.
 * Declare it before the trace switch, which then takes every other trace output.
 */
export function declareLensSwitch(g: GraphBuilder): string {
  const input = g.input(LENS_SWITCH_INPUT, 'bool', []);
  g.switchOutputs({ input, gates: isLogitLensOutput, name: 'trace_lens' });
  return input;
}

/**
 * Declares the generation step's summary switch (a bool scalar, src/convert/step-top-graph.ts): a generation step
 * turns it on, the traced pass and transformers.js's own generate() leave it off. Declare it before the trace switch.
 */
export function declareStepTopSwitch(g: GraphBuilder): string {
  const input = g.input(STEP_TOP_SWITCH_INPUT, 'bool', []);
  g.switchOutputs({ input, gates: isStepTopOutput, name: 'step_top' });
  return input;
}

/**
 * Returns the graph's nodes with each switch's trace-only nodes moved into one `If` on its input; the outputs keep
 * their names and order. A node two switches' outputs both need stays in the main graph. `uniqueName` names the
 * new nodes and values.
 */
export function switchTraceNodes({ nodes, outputs }: SwitchableGraph, switches: readonly OutputSwitch[], uniqueName: (hint: string) => string): NodeProto[] {
  const producer = new Map<string, NodeProto>();
  for (const node of nodes) for (const output of node.output) producer.set(output, node);
  /** The nodes `names` depend on, those in `stop` aside. */
  const closure = (names: readonly string[], stop: ReadonlySet<NodeProto>) => {
    const found = new Set<NodeProto>();
    const pending = [...names];
    while (pending.length > 0) {
      const node = producer.get(pending.pop()!);
      if (!node || found.has(node) || stop.has(node)) continue;
      found.add(node);
      pending.push(...node.input.filter((value) => value !== ''));
    }
    return found;
  };

  // The always-computed nodes: everything the logits and the cache depend on, and what two switches share.
  const needed = closure(outputs.filter(({ name }) => isStepOutput(name)).map(({ name }) => name), new Set());
  const taken = new Set<string>();
  const groups = switches
    .map((outputSwitch) => {
      const gated = outputs.filter(({ name }) => !isStepOutput(name) && !taken.has(name) && outputSwitch.gates(name));
      for (const { name } of gated) taken.add(name);
      return { outputSwitch, gated };
    })
    .filter(({ gated }) => gated.length > 0);
  if (groups.length === 0) return nodes;
  const closures = groups.map(({ gated }) => closure(gated.map(({ name }) => name), needed));
  const shared = closures.flatMap((found, i) => [...found].filter((node) => closures.some((other, j) => j !== i && other.has(node))));
  for (const node of closure(shared.flatMap((node) => node.output), needed)) needed.add(node);

  const switchNodes = groups.map(({ outputSwitch, gated }) => {
    for (const { name } of gated) {
      const source = producer.get(name);
      // The converters copy each traced value to its output name with an Identity, so this never happens; an If
      // output cannot share its name with a value of the main graph.
      if (!source || needed.has(source)) throw new Error(`trace output ${name} is not computed by a trace-only node`);
    }
    const inBranch = closure(gated.map(({ name }) => name), needed);
    return branchSwitch(outputSwitch, nodes.filter((node) => inBranch.has(node)), gated, uniqueName);
  });
  const untaken = outputs.filter(({ name }) => !isStepOutput(name) && !taken.has(name));
  if (untaken.length > 0) throw new Error(`no switch takes trace output ${untaken[0].name}`);
  return [...nodes.filter((node) => needed.has(node)), ...switchNodes];
}

/** One `If` on the switch: its then-branch computes `gated` with `branchNodes`, its else-branch gives them empty. */
function branchSwitch({ input, name }: OutputSwitch, branchNodes: NodeProto[], gated: ValueInfoProto[], uniqueName: (hint: string) => string): NodeProto {
  const typeOnly = ({ name: value, type }: ValueInfoProto): ValueInfoProto => ({ name: value, type: { tensor_type: { elem_type: type.tensor_type.elem_type } } });
  const thenBranch = { name: `${name}_on`, node: branchNodes, initializer: [], input: [], output: gated.map(typeOnly) };
  const empties = gated.map((output) => emptyConstant(output, uniqueName(`${output.name}.off`)));
  const elseBranch = { name: `${name}_off`, node: empties, initializer: [], input: [], output: empties.map((node, i) => typeOnly({ ...gated[i], name: node.output[0] })) };
  return {
    name: uniqueName(`${name}.switch`),
    op_type: 'If',
    input: [input],
    output: gated.map((output) => output.name),
    attribute: [
      { name: 'then_branch', type: AttributeType.GRAPH, g: thenBranch },
      { name: 'else_branch', type: AttributeType.GRAPH, g: elseBranch },
    ],
  };
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
