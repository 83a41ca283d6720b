// Backend choice: WebGPU only with a hardware adapter, WASM otherwise (a software fallback adapter
// included), always with its reason; ?backend= forces either.
// Precision: fp16 only on WebGPU with shader-f16 and a folder that has it; ?dtype= forces either.
import { describe, expect, it } from 'vitest';
import { availablePrecisions, chooseBackend, choosePrecision, forcedBackend, isSoftwareAdapter } from '../../src/engine/choose-backend';

const gpuWith = (adapter: unknown) => ({ requestAdapter: async () => adapter });

describe('chooseBackend', () => {
  it('takes WebGPU when an adapter exists, quietly', async () => {
    expect(await chooseBackend('', gpuWith({}))).toEqual({ backend: 'webgpu', notice: null, reason: 'WebGPU: a hardware adapter', precision: { forced: null, shaderF16: false } });
    const nvidia = { info: { vendor: 'nvidia', architecture: 'ampere', device: '', description: '', isFallbackAdapter: false } };
    expect((await chooseBackend('', gpuWith(nvidia))).reason).toBe('WebGPU: a hardware adapter (nvidia ampere)');
  });

  // Chromium 156's SwiftShader adapter, as read here: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true }.
  const swiftShader = { info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true } };

  it('does not choose a software fallback adapter: WASM, with the reason recorded', async () => {
    const choice = await chooseBackend('', gpuWith(swiftShader));
    expect(choice.backend).toBe('wasm');
    expect(choice.reason).toMatch(/software fallback \(SwiftShader, emulated on the CPU\): running on WASM/);
    expect(choice.reason).toContain('?backend=webgpu');
    expect(choice.notice).toBe(choice.reason);
    expect(choice.precision).toEqual({ forced: null, shaderF16: false });
  });

  it('knows a fallback by its flag (new or old place) or by its name', async () => {
    expect(isSoftwareAdapter(swiftShader)).toBe(true);
    expect(isSoftwareAdapter({ isFallbackAdapter: true })).toBe(true); // before info.isFallbackAdapter
    expect(isSoftwareAdapter({ info: { vendor: 'mesa', architecture: '', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'microsoft', description: 'Microsoft Basic Render Driver' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'apple', architecture: 'metal-3', isFallbackAdapter: false } })).toBe(false);
    expect(isSoftwareAdapter({})).toBe(false);
    expect(isSoftwareAdapter(null)).toBe(false);
    const named = await chooseBackend('', gpuWith({ info: { vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' } }));
    expect(named.backend).toBe('wasm');
    expect(named.reason).toContain('mesa (llvmpipe (LLVM 15.0.6, 256 bits))');
  });

  it('still runs a fallback adapter when ?backend=webgpu forces it, and says what it is', async () => {
    const choice = await chooseBackend('?backend=webgpu', gpuWith(swiftShader));
    expect(choice.backend).toBe('webgpu');
    expect(choice.notice).toBe('WebGPU forced by ?backend=webgpu');
    expect(choice.reason).toMatch(/forced by \?backend=webgpu \(a software adapter, SwiftShader: WASM is usually much faster here\)/);
  });

  it('falls back to WASM, with a notice, without an adapter or without WebGPU', async () => {
    expect((await chooseBackend('', gpuWith(null))).backend).toBe('wasm');
    expect((await chooseBackend('', undefined)).notice).toMatch(/WASM/);
    // A page on plain http (not localhost) has no navigator.gpu whatever the browser: the notice says why.
    expect((await chooseBackend('', undefined, false)).notice).toBe('No WebGPU on plain http (browsers give it to https and localhost only): running on WASM (CPU)');
    expect((await chooseBackend('', undefined, true)).notice).toBe('No WebGPU in this browser: running on WASM (CPU)');
    const throwing = { requestAdapter: async () => Promise.reject(new Error('blocked')) };
    expect((await chooseBackend('', throwing)).backend).toBe('wasm');
  });

  it('obeys ?backend=wasm|webgpu and ignores anything else', async () => {
    expect(await chooseBackend('?backend=wasm', gpuWith({}))).toMatchObject({ backend: 'wasm', notice: 'WASM forced by ?backend=wasm' });
    expect((await chooseBackend('?backend=webgpu', gpuWith(null))).backend).toBe('webgpu');
    expect(forcedBackend('?backend=cuda')).toBeNull();
  });
});

describe('choosePrecision', () => {
  const f16Adapter = { features: new Set(['shader-f16']) };

  it('reads shader-f16 from the adapter and ?dtype= from the URL', async () => {
    expect((await chooseBackend('', gpuWith(f16Adapter))).precision).toEqual({ forced: null, shaderF16: true });
    expect((await chooseBackend('?dtype=fp32', gpuWith(f16Adapter))).precision).toEqual({ forced: 'fp32', shaderF16: true });
    expect((await chooseBackend('?dtype=fp16&backend=wasm', gpuWith(f16Adapter))).precision).toEqual({ forced: 'fp16', shaderF16: false });
    expect((await chooseBackend('?dtype=int4', gpuWith(null))).precision).toEqual({ forced: null, shaderF16: false });
  });

  it('takes fp16 only on WebGPU with shader-f16 and an fp16 model in the folder', () => {
    const both = availablePrecisions({ onnx_dtypes: ['fp32', 'fp16'] });
    expect(choosePrecision('webgpu', { forced: null, shaderF16: true }, both)).toBe('fp16');
    expect(choosePrecision('webgpu', { forced: null, shaderF16: false }, both)).toBe('fp32');
    expect(choosePrecision('wasm', { forced: null, shaderF16: true }, both)).toBe('fp32');
    expect(choosePrecision('webgpu', { forced: null, shaderF16: true }, availablePrecisions({}))).toBe('fp32');
  });

  it('obeys ?dtype=, and says in one line when the folder lacks the forced precision', () => {
    expect(choosePrecision('webgpu', { forced: 'fp32', shaderF16: true }, ['fp32', 'fp16'])).toBe('fp32');
    expect(choosePrecision('wasm', { forced: 'fp16', shaderF16: false }, ['fp32', 'fp16'])).toBe('fp16');
    expect(() => choosePrecision('webgpu', { forced: 'fp16', shaderF16: true }, ['fp32'])).toThrow(/no fp16 model \(convert it with --dtype fp16\)/);
  });
});
