// Splitting a V8 heap snapshot (CDP HeapProfiler.takeHeapSnapshot's JSON) for the soak (npm run soak): how much
// of the page's heap is V8's optimised machine code (Maglev or TurboFan output, which grows as more of the
// deck's functions become hot enough to optimise), how much is other compiled code (bytecode, baseline code),
// and how much is the page's objects. Pure, so it is tested in Node on small hand-made snapshots.

/** The parts of the snapshot's JSON this reads (node_fields and edge_fields name the flat arrays' columns). */
export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapSplit {
  /** Every node of V8's type 'code': bytecode, baseline and optimised machine code, and what they point to. */
  code: number;
  /** Everything else of the JS heap (Blink's 'native' nodes are not in it): objects, strings, closures, arrays. */
  objects: number;
  /** Of `code`: optimised machine code, i.e. each Code object with deoptimisation data, its instructions and the data it alone holds. */
  optimised: number;
  /** How many such optimised Code objects there are (one per optimised function, as a rule). */
  optimisedCount: number;
}

/** The optimised code's parts counted with it, when nothing else refers to them (the others are shared: maps, empty tables). */
const OPTIMISED_PARTS = new Set(['instruction_stream', 'deoptimization_data', 'source_position_table']);

export function splitHeapSnapshot(snapshot: HeapSnapshot): HeapSplit {
  const meta = snapshot.snapshot.meta;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((field) => meta.node_fields.indexOf(field));
  const [edgeTypeAt, edgeNameAt, edgeToAt] = ['type', 'name_or_index', 'to_node'].map((field) => meta.edge_fields.indexOf(field));
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const { nodes, edges, strings } = snapshot;
  const count = nodes.length / nodeFields;
  const typeOf = (node: number) => nodeTypes[nodes[node * nodeFields + typeAt!]!];
  const sizeOf = (node: number) => nodes[node * nodeFields + sizeAt!]!;

  // Where each node's edges start, and how many edges point at each node.
  const firstEdge = new Uint32Array(count + 1);
  const retainers = new Uint32Array(count);
  for (let node = 0, edge = 0; node < count; node++) {
    firstEdge[node] = edge;
    edge += nodes[node * nodeFields + edgeCountAt!]! * edgeFields;
    firstEdge[node + 1] = edge;
  }
  for (let edge = 0; edge < edges.length; edge += edgeFields) retainers[edges[edge + edgeToAt!]! / nodeFields]!++;
  /** The node's strong edges as [name, target]; element and hidden edges are named by their index (''), weak ones left out. */
  const edgesOf = (node: number): [string, number][] => {
    const list: [string, number][] = [];
    for (let edge = firstEdge[node]!; edge < firstEdge[node + 1]!; edge += edgeFields) {
      const type = edgeTypes[edges[edge + edgeTypeAt!]!];
      if (type === 'weak') continue;
      list.push([type === 'element' || type === 'hidden' ? '' : strings[edges[edge + edgeNameAt!]!]!, edges[edge + edgeToAt!]! / nodeFields]);
    }
    return list;
  };
  /** A part of one optimised Code object: counted when only that object refers to it, with the parts it alone holds in turn. */
  const partSize = (node: number): number => {
    if (retainers[node] !== 1 || typeOf(node) !== 'code') return 0;
    let size = sizeOf(node);
    for (const [name, target] of edgesOf(node)) if (name !== 'map' && retainers[target] === 1 && typeOf(target) === 'code') size += sizeOf(target);
    return size;
  };

  const split: HeapSplit = { code: 0, objects: 0, optimised: 0, optimisedCount: 0 };
  for (let node = 0; node < count; node++) {
    const type = typeOf(node);
    if (type === 'native') continue; // Blink's objects, not the JS heap
    if (type !== 'code') {
      split.objects += sizeOf(node);
      continue;
    }
    split.code += sizeOf(node);
    if (strings[nodes[node * nodeFields + nameAt!]!] !== 'system / Code') continue;
    const parts = edgesOf(node).filter(([name]) => OPTIMISED_PARTS.has(name));
    if (!parts.some(([name]) => name === 'deoptimization_data')) continue; // bytecode handlers, baseline code, builtins: no deoptimisation data
    split.optimisedCount++;
    split.optimised += sizeOf(node) + parts.reduce((sum, [, target]) => sum + partSize(target), 0);
  }
  return split;
}
