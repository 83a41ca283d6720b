// The fp16 variant of a graph, as a pass over any family's float32 graph: the weight matrices that only
// feed MatMul or Gemm as its second input (directly or through a Transpose) or a Gather (an embedding lookup)
// are stored as float16, each such MatMul runs in float16 on a Cast of its activation, and its result, like each Gather's, is
// Cast back to float32. Everything else stays float32: norms, softmax, the residual stream, biases,
// the KV cache, the logits and the trace outputs. So the graph's inputs and outputs, transformers.js's
// cache handling and the deck's Trace are the same as for fp32, while the weights (the download, the
// memory, the bandwidth of every MatMul) are halved and WebGPU multiplies in f16.
import { DataType, type NodeProto } from './onnx-proto';
import type { PendingInitializer } from './onnx-writer';

export interface GraphParts {
  nodes: NodeProto[];
  initializers: PendingInitializer[];
}

const castTo = (to: number) => [{ name: 'to', type: 2 /* INT */, i: to }];

/** Returns new node and initializer lists; the builder's own are left as they were. */
export function halfPrecisionMatMuls(graph: GraphParts, uniqueName: (hint: string) => string): GraphParts {
  const consumers = new Map<string, { node: NodeProto; index: number }[]>();
  for (const node of graph.nodes) {
    node.input.forEach((value, index) => {
      if (!consumers.has(value)) consumers.set(value, []);
      consumers.get(value)!.push({ node, index });
    });
  }
  // A MatMul's second input, or a Gemm's (the attribution's projected readout, attribution-graph.ts, reads W_O transposed).
  const isMatMulWeightInput = ({ node, index }: { node: NodeProto; index: number }) => (node.op_type === 'MatMul' || node.op_type === 'Gemm') && index === 1;
  const feedsOnlyMatMuls = (value: string) => (consumers.get(value) ?? []).every(isMatMulWeightInput);

  // The weights to narrow, and the MatMuls and Gathers whose float16 results need a Cast back.
  const halfWeights = new Set<string>();
  const halfResultNodes = new Set<NodeProto>();
  for (const initializer of graph.initializers) {
    if (initializer.dataType !== DataType.FLOAT || !initializer.read || initializer.dims.length !== 2) continue;
    const uses = consumers.get(initializer.name) ?? [];
    const narrowable =
      uses.length > 0 &&
      uses.every(
        (use) =>
          isMatMulWeightInput(use) ||
          (use.node.op_type === 'Gather' && use.index === 0) ||
          (use.node.op_type === 'Transpose' && feedsOnlyMatMuls(use.node.output[0])),
      );
    if (!narrowable) continue;
    halfWeights.add(initializer.name);
    for (const { node } of uses) {
      if (node.op_type === 'Transpose') for (const matMul of consumers.get(node.output[0]) ?? []) halfResultNodes.add(matMul.node);
      else halfResultNodes.add(node);
    }
  }

  const nodes: NodeProto[] = [];
  const halfActivations = new Map<string, string>(); // float32 value -> its Cast to float16, shared by its MatMuls
  for (const node of graph.nodes) {
    if (!halfResultNodes.has(node)) {
      nodes.push(node);
      continue;
    }
    const input = [...node.input];
    if (node.op_type === 'MatMul' || node.op_type === 'Gemm') {
      let half = halfActivations.get(input[0]);
      if (!half) {
        half = uniqueName(`${input[0]}.fp16`);
        halfActivations.set(input[0], half);
        nodes.push({ name: half, op_type: 'Cast', input: [input[0]], output: [half], attribute: castTo(DataType.FLOAT16) });
      }
      input[0] = half;
    }
    const result = node.output[0];
    const halfResult = uniqueName(`${result}.fp16`);
    nodes.push({ ...node, input, output: [halfResult, ...node.output.slice(1)] });
    nodes.push({ name: uniqueName(`${result}.to_fp32`), op_type: 'Cast', input: [halfResult], output: [result], attribute: castTo(DataType.FLOAT) });
  }

  const initializers = graph.initializers.map((initializer) =>
    halfWeights.has(initializer.name) ? { ...initializer, dataType: DataType.FLOAT16 } : initializer,
  );
  return { nodes, initializers };
}
