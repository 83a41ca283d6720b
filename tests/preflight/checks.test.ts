import { describe, expect, it } from 'vitest';
import { adapterSummary, deckLink, preflightWarnings, recommendBackend, THRESHOLDS_TEXT, tokensPerSecond, verdict, withBackend, type BackendMeasurement, type PreflightFacts } from '../../src/preflight/checks';

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
  it('warns about slow load and a slow forward pass, and about one WASM thread only where WASM is too slow', () => {
    const warnings = preflightWarnings({ ...allGood, backend: 'wasm', webgpuAdapter: false, crossOriginIsolated: false, loadMs: 12_000, forwardMs: 650 });
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toMatch(/12\.0 s/);
    expect(warnings.join('\n')).toMatch(/650 ms/);
    expect(warnings.join('\n')).toMatch(/single thread/);
    // No adapter and one thread are no warning while WASM meets every threshold.
    expect(preflightWarnings({ ...allGood, backend: 'wasm', webgpuAdapter: false, crossOriginIsolated: false, tokensPerSecond: 30, warmUpMs: 200 })).toEqual([]);
  });
  it('does not warn about isolation on WebGPU, nor at exactly the limits', () => {
    expect(preflightWarnings({ ...allGood, crossOriginIsolated: false, loadMs: 10_000, forwardMs: 500 })).toEqual([]);
  });
  it('judges warm-up and generation speed against what a talk needs', () => {
    const slow = preflightWarnings({ ...allGood, warmUpMs: 19_600, tokensPerSecond: 0.8 });
    expect(slow).toEqual([expect.stringMatching(/warm-up pass took 19\.6 s/), expect.stringMatching(/0\.8 tokens\/s \(under 5\)/)]);
    expect(preflightWarnings({ ...allGood, warmUpMs: 5_000, tokensPerSecond: 5 })).toEqual([]);
    expect(THRESHOLDS_TEXT).toBe('What a talk needs: loading under 10 s, a warm-up pass under 5 s, a forward pass under 500 ms (prompt edits), generation at 5 tokens/s or more (answers as fast as the audience reads).');
  });
  it('tells to switch, with the exact URL, when the other backend measured faster', () => {
    const url = 'http://127.0.0.1:5173/deck/?backend=webgpu';
    const recommendation = { backend: 'webgpu' as const, reason: 'forward pass 4.0 ms on WebGPU, 33.0 ms on WASM' };
    expect(preflightWarnings({ ...allGood, backend: 'wasm', recommendation, recommendedUrl: url })).toEqual([
      `WebGPU is faster on this machine (forward pass 4.0 ms on WebGPU, 33.0 ms on WASM): open the deck with ${url}`,
    ]);
    expect(preflightWarnings({ ...allGood, backend: 'webgpu', recommendation, recommendedUrl: url })).toEqual([]);
    expect(withBackend('http://h/preflight.html?model=m&backend=webgpu', 'wasm')).toBe('http://h/preflight.html?model=m&backend=wasm');
  });
  it('says "All green" only without a warning', () => {
    expect(verdict(0)).toMatch(/^All green/);
    expect(verdict(1)).toMatch(/^Not all green \(1 warning above\)/);
    expect(verdict(3)).toContain('3 warnings');
  });
  it('flags a software adapter: WASM over it is right but the GPU is out of reach, WebGPU forced onto it is a warning', () => {
    expect(preflightWarnings({ ...allGood, backend: 'wasm', softwareAdapter: true })).toEqual([expect.stringMatching(/software fallback.*cannot use the GPU, so the deck runs on WASM/)]);
    expect(preflightWarnings({ ...allGood, backend: 'webgpu', softwareAdapter: true })).toEqual([expect.stringMatching(/software fallback.*\?backend=wasm/)]);
    // Plain http hides WebGPU whatever the machine has: worth a warning, as the GPU may be there.
    expect(preflightWarnings({ ...allGood, backend: 'wasm', webgpuAdapter: false, plainHttp: true })).toEqual([expect.stringMatching(/plain http.*over https or from localhost/)]);
    expect(preflightWarnings({ ...allGood, backend: 'wasm', webgpuAdapter: false, plainHttp: false })).toEqual([]);
  });
});

describe('recommendBackend', () => {
  const wasm: BackendMeasurement = { backend: 'wasm', loadMs: 900, warmUpMs: 40, forwardMs: 33, tokensPerSecond: 55.8, error: null };
  const webgpu: BackendMeasurement = { backend: 'webgpu', loadMs: 4000, warmUpMs: 19_600, forwardMs: 4200, tokensPerSecond: 0.8, error: null };
  it('picks the faster forward pass and says both', () => {
    expect(recommendBackend([webgpu, wasm], true)).toEqual({
      backend: 'wasm',
      reason: 'forward pass 33.0 ms, 55.8 tokens/s on WASM, 4.20 s, 0.8 tokens/s on WebGPU (a software adapter)',
    });
    expect(recommendBackend([wasm, { ...webgpu, forwardMs: 4, tokensPerSecond: 200 }], false)?.backend).toBe('webgpu');
  });
  it('takes the one that ran, and nothing when none did', () => {
    expect(recommendBackend([wasm, { ...webgpu, forwardMs: null, error: 'no answer within 150 s' }], true)).toEqual({
      backend: 'wasm',
      reason: 'WASM: WebGPU (a software adapter) did not run: no answer within 150 s',
    });
    expect(recommendBackend([wasm], false)).toEqual({ backend: 'wasm', reason: 'WASM: the only backend in this browser' });
    expect(recommendBackend([wasm], false, 'the only backend on plain http')).toEqual({ backend: 'wasm', reason: 'WASM: the only backend on plain http' });
    expect(recommendBackend([{ ...wasm, forwardMs: null, error: 'failed' }], false)).toBeNull();
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
