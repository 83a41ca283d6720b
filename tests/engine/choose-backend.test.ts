// Backend choice: WebGPU only with an adapter, WASM otherwise, and ?backend= forces either.
import { describe, expect, it } from 'vitest';
import { chooseBackend, forcedBackend } from '../../src/engine/choose-backend';

const gpuWith = (adapter: unknown) => ({ requestAdapter: async () => adapter });

describe('chooseBackend', () => {
  it('takes WebGPU when an adapter exists, quietly', async () => {
    expect(await chooseBackend('', gpuWith({}))).toEqual({ backend: 'webgpu', notice: null });
  });

  it('falls back to WASM, with a notice, without an adapter or without WebGPU', async () => {
    expect((await chooseBackend('', gpuWith(null))).backend).toBe('wasm');
    expect((await chooseBackend('', undefined)).notice).toMatch(/WASM/);
    const throwing = { requestAdapter: async () => Promise.reject(new Error('blocked')) };
    expect((await chooseBackend('', throwing)).backend).toBe('wasm');
  });

  it('obeys ?backend=wasm|webgpu and ignores anything else', async () => {
    expect(await chooseBackend('?backend=wasm', gpuWith({}))).toEqual({ backend: 'wasm', notice: 'WASM forced by ?backend=wasm' });
    expect((await chooseBackend('?backend=webgpu', gpuWith(null))).backend).toBe('webgpu');
    expect(forcedBackend('?backend=cuda')).toBeNull();
  });
});
