import { describe, expect, it } from 'vitest';
import { adapterSummary, deckLink, preflightWarnings, tokensPerSecond, verdict, withBackend, type PreflightFacts } from '../../src/preflight/checks';

const allGood: PreflightFacts = {
  modelName: 'sotu-gpt',
  loadError: null,
  backend: 'webgpu',
  webgpuAdapter: true,
  crossOriginIsolated: true,
  loadMs: 800,
  forwardMs: 12,
  runError: null,
};

describe('tokensPerSecond', () => {
  it('divides the steps by their total time', () => {
    expect(tokensPerSecond([{ ms: 10 }, { ms: 30 }])).toBeCloseTo(50);
  });
  it('is null without steps or time', () => {
    expect(tokensPerSecond([])).toBeNull();
    expect(tokensPerSecond([{ ms: 0 }])).toBeNull();
  });
});

describe('preflightWarnings', () => {
  it('says nothing when all is well', () => {
    expect(preflightWarnings(allGood)).toEqual([]);
  });
  it('names the file of a model that failed to load', () => {
    const [warning] = preflightWarnings({ ...allGood, loadError: { message: 'not found', file: 'onnx/model.onnx' }, loadMs: null, forwardMs: null });
    expect(warning).toContain('sotu-gpt');
    expect(warning).toContain('models/sotu-gpt/onnx/model.onnx');
  });
  it('warns about no WebGPU, no isolation on WASM, slow load and slow forward pass', () => {
    const warnings = preflightWarnings({ ...allGood, backend: 'wasm', webgpuAdapter: false, crossOriginIsolated: false, loadMs: 12_000, forwardMs: 650 });
    expect(warnings).toHaveLength(4);
    expect(warnings.join('\n')).toMatch(/No WebGPU adapter/);
    expect(warnings.join('\n')).toMatch(/single thread/);
    expect(warnings.join('\n')).toMatch(/12\.0 s/);
    expect(warnings.join('\n')).toMatch(/650 ms/);
  });
  it('does not warn about isolation on WebGPU, nor at exactly the limits', () => {
    expect(preflightWarnings({ ...allGood, crossOriginIsolated: false, loadMs: 10_000, forwardMs: 500 })).toEqual([]);
  });
  it('says when WASM is forced although WebGPU is there', () => {
    expect(preflightWarnings({ ...allGood, backend: 'wasm' })).toEqual([expect.stringMatching(/forced by \?backend=wasm/)]);
  });
  it('judges warm-up and generation speed against what a talk needs, and names the other backend to measure', () => {
    const url = 'http://127.0.0.1:5173/preflight.html?model=sotu-gpt&backend=wasm';
    const slow = preflightWarnings({ ...allGood, warmUpMs: 19_600, tokensPerSecond: 0.8, otherBackendUrl: url });
    expect(slow).toEqual([expect.stringMatching(/warm-up pass took 19\.6 s/), expect.stringMatching(/0\.8 tokens\/s \(under 5\)/), `Measure the other backend here, it may be faster: ${url}`]);
    expect(preflightWarnings({ ...allGood, warmUpMs: 5_000, tokensPerSecond: 5, otherBackendUrl: url })).toEqual([]);
    expect(withBackend('http://h/preflight.html?model=m&backend=webgpu', 'wasm')).toBe('http://h/preflight.html?model=m&backend=wasm');
  });
  it('says "All green" only without a warning', () => {
    expect(verdict(0)).toMatch(/^All green/);
    expect(verdict(1)).toMatch(/^Not all green \(1 warning above\)/);
    expect(verdict(3)).toContain('3 warnings');
  });
  it('does not push a software adapter: WASM over it is right, WebGPU forced onto it is a warning', () => {
    expect(preflightWarnings({ ...allGood, backend: 'wasm', softwareAdapter: true })).toEqual([]);
    expect(preflightWarnings({ ...allGood, backend: 'webgpu', softwareAdapter: true })).toEqual([expect.stringMatching(/software fallback.*\?backend=wasm/)]);
  });
});

describe('deckLink', () => {
  it('keeps ?model= and ?backend= only', () => {
    expect(deckLink('?model=gpt2&backend=wasm&prompt=hi')).toBe('./?model=gpt2&backend=wasm');
    expect(deckLink('?prompt=hi')).toBe('./');
    expect(deckLink('')).toBe('./');
  });
});

describe('adapterSummary', () => {
  it('joins what the adapter says and reads shader-f16', () => {
    expect(adapterSummary({ info: { vendor: 'google', architecture: 'swiftshader', description: '' }, features: new Set(['shader-f16']) })).toEqual({
      text: 'google · swiftshader',
      shaderF16: true,
    });
    expect(adapterSummary({})).toEqual({ text: 'no details given by the browser', shaderF16: false });
  });
});
