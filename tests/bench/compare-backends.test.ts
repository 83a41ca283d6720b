// The WebGPU-against-WASM check of npm run bench -- --backend webgpu: tolerance, id lists, lengths.
import { describe, expect, it } from 'vitest';
import { compareValues } from '../../src/bench/compare-backends';

const wasm = { ids: { top: [5, 7, 9] }, values: { probs: [0.5, 0.25, 0.125], map: [1, -2] } };

describe('comparing the slides\' numbers of two backends', () => {
  it('is equal within 1e-3 with the same ids, and reports each part\'s largest difference', () => {
    const c = compareValues(wasm, { ids: { top: [5, 7, 9] }, values: { probs: [0.5004, 0.25, 0.125], map: [1, -2.0009] } });
    expect(c.equal).toBe(true);
    expect(c.parts.map((p) => p.part)).toEqual(['probs', 'map']);
    expect(c.maxDifference).toBeCloseTo(0.0009, 9);
  });

  it('is not equal past the tolerance, with other ids, or with a part of another length', () => {
    expect(compareValues(wasm, { ids: wasm.ids, values: { probs: [0.5, 0.252, 0.125], map: [1, -2] } }).equal).toBe(false);
    const reordered = compareValues(wasm, { ids: { top: [7, 5, 9] }, values: wasm.values });
    expect(reordered.equal).toBe(false);
    expect(reordered.idsDiffering).toEqual(['top']);
    const shorter = compareValues(wasm, { ids: wasm.ids, values: { probs: [0.5, 0.25], map: [1, -2] } });
    expect(shorter.parts[0].maxDifference).toBeNull();
    expect(shorter.equal).toBe(false);
  });
});
