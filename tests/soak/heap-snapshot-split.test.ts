// The soak's split of a V8 heap snapshot: optimised machine code (with its deoptimisation data) apart from
// other compiled code and from objects, on a hand-made snapshot in CDP's format.
import { describe, expect, it } from 'vitest';
import { splitHeapSnapshot, type HeapSnapshot } from '../../src/browser/heap-snapshot-split';

type Node = [type: string, name: string, size: number, edges: [type: string, name: string | number, to: number][]];

/** A snapshot in CDP's flat layout from a readable list of nodes (edges point at node indices). */
function snapshot(list: Node[]): HeapSnapshot {
  const nodeTypes = ['hidden', 'object', 'closure', 'code', 'native', 'synthetic'];
  const edgeTypes = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
  const strings: string[] = [];
  const string = (text: string) => (strings.includes(text) ? strings.indexOf(text) : strings.push(text) - 1);
  const nodes: number[] = [];
  const edges: number[] = [];
  list.forEach(([type, name, size, out], id) => {
    nodes.push(nodeTypes.indexOf(type), string(name), id * 2 + 1, size, out.length);
    for (const [edgeType, edgeName, to] of out) edges.push(edgeTypes.indexOf(edgeType), typeof edgeName === 'number' ? edgeName : string(edgeName), to * 5);
  });
  return {
    snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [nodeTypes], edge_fields: ['type', 'name_or_index', 'to_node'], edge_types: [edgeTypes] } },
    nodes,
    edges,
    strings,
  };
}

const deck: Node[] = [
  /* 0 */ ['synthetic', '(GC roots)', 0, [['element', 1, 1], ['element', 2, 8], ['element', 3, 9]]],
  /* 1 */ ['closure', 'renderSlide', 32, [['internal', 'code', 2]]],
  /* 2 */ ['code', 'system / Code', 72, [['internal', 'instruction_stream', 3], ['internal', 'deoptimization_data', 4], ['internal', 'source_position_table', 6], ['internal', 'map', 7]]],
  /* 3 */ ['code', 'system / InstructionStream', 4000, [['internal', 'code', 2]]],
  /* 4 */ ['code', 'system / ProtectedFixedArray', 500, [['element', 0, 5], ['internal', 'map', 7]]],
  /* 5 */ ['code', 'system / TrustedByteArray', 300, []],
  /* 6 */ ['code', 'system / TrustedByteArray', 8, []], // shared by both Code objects: counted with neither
  /* 7 */ ['hidden', 'system / Map', 40, []],
  /* 8 */ ['native', 'HTMLDivElement', 100, []],
  /* 9 */ ['code', 'system / Code', 72, [['internal', 'instruction_stream', 10], ['internal', 'source_position_table', 6]]], // baseline: no deoptimisation data
  /* 10 */ ['code', 'system / InstructionStream', 1000, [['internal', 'code', 9]]],
];

describe('splitHeapSnapshot', () => {
  it('counts a Code object with deoptimisation data as optimised, with the instructions and data it alone holds', () => {
    expect(splitHeapSnapshot(snapshot(deck))).toEqual({
      code: 72 + 4000 + 500 + 300 + 8 + 72 + 1000,
      objects: 32 + 40,
      optimised: 72 + 4000 + 500 + 300,
      optimisedCount: 1,
    });
  });

  it('leaves out a part another object also refers to, and Blink’s native objects altogether', () => {
    const shared = deck.map((node): Node => [...node]);
    shared[8] = ['native', 'HTMLDivElement', 100, [['internal', 'keeps', 4]]]; // the deoptimisation data now has two retainers
    expect(splitHeapSnapshot(snapshot(shared))).toMatchObject({ optimised: 72 + 4000, optimisedCount: 1, objects: 32 + 40 });
  });

  it('finds nothing optimised where no Code object has deoptimisation data', () => {
    const baselineOnly: Node[] = [
      ['synthetic', '(GC roots)', 0, [['element', 1, 1]]],
      ['closure', 'renderSlide', 32, [['internal', 'code', 2], ['property', 'cache', 4]]],
      ['code', 'system / Code', 72, [['internal', 'instruction_stream', 3]]],
      ['code', 'system / InstructionStream', 1000, [['internal', 'code', 2]]],
      ['object', 'Object', 16, []],
    ];
    expect(splitHeapSnapshot(snapshot(baselineOnly))).toEqual({ code: 1072, objects: 32 + 16, optimised: 0, optimisedCount: 0 });
  });
});
