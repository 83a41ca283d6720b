import { describe, expect, it } from 'vitest';
import { layerOutputParts, splitLayers, stackedLayerOutput, unstackedNames, unstackOutputs } from '../../src/trace/stacked-layer-outputs';

describe('stacked per-layer trace outputs', () => {
  it('names: a stack stands for one name per layer, in place and in layer order', () => {
    expect(stackedLayerOutput('attn.probs')).toBe('trace.layers.attn.probs');
    expect(layerOutputParts('trace.layer.12.resid.after_mlp')).toEqual({ layer: 12, kind: 'resid.after_mlp' });
    expect(layerOutputParts('trace.embed.sum')).toBeNull();
    expect(unstackedNames(['trace.embed.sum', 'trace.layers.ln_1', 'trace.ln_f'], 2)).toEqual(['trace.embed.sum', 'trace.layer.0.ln_1', 'trace.layer.1.ln_1', 'trace.ln_f']);
  });

  it('splits a stack [L * b, ...] into views of each layer [b, ...], and refuses data of the wrong size', () => {
    const data = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i);
    const layers = splitLayers(data, [2, 3, 2], 2);
    expect(layers.map((layer) => layer.dims)).toEqual([[1, 3, 2], [1, 3, 2]]);
    expect(Array.from(layers[1].data)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(layers[1].data.buffer).toBe(data.buffer); // a view, not a copy
    const batchOfTwo = splitLayers(data, [4, 3, 1], 2); // two layers of two rows each
    expect(batchOfTwo.map((layer) => layer.dims)).toEqual([[2, 3, 1], [2, 3, 1]]);
    expect(Array.from(batchOfTwo[1].data)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(() => splitLayers(data, [3, 3, 2], 2)).toThrow(/2 layers/);
    expect(() => splitLayers(data, [2, 3, 2], 3)).toThrow(/3 layers/);
  });

  it('gives the outputs back under the per-layer names, other outputs untouched', () => {
    const tensor = (values: number[], dims: number[]): { data: Float32Array; dims: number[] } => ({ data: Float32Array.from(values), dims });
    const logits = tensor([1, 2], [1, 1, 2]);
    const named = unstackOutputs({ logits, 'trace.layers.mlp.out': tensor([1, 2, 3, 4], [2, 1, 2]) }, 2, (_, data, dims) => ({ data, dims }));
    expect(Object.keys(named)).toEqual(['logits', 'trace.layer.0.mlp.out', 'trace.layer.1.mlp.out']);
    expect(named.logits).toBe(logits);
    expect(Array.from(named['trace.layer.1.mlp.out'].data)).toEqual([3, 4]);
    expect(named['trace.layer.1.mlp.out'].dims).toEqual([1, 1, 2]);
  });
});
