import { describe, expect, it } from 'vitest';
import { modelWillNotFit, sizeFromContentRange, WASM_MEMORY_LIMIT } from '../../src/engine/model-fit';

describe('modelWillNotFit', () => {
  it("refuses on WASM a model over WebAssembly's 4 GiB, with both sizes", () => {
    expect(modelWillNotFit(6.4e9, { backend: 'wasm', deviceMemoryGiB: 8 })).toBe(
      "the model is 6.4 GB, more than WebAssembly's 4 GiB memory (4.3 GB) that the WASM backend must hold it in: choose a smaller model, or a browser with WebGPU",
    );
    expect(modelWillNotFit(WASM_MEMORY_LIMIT, { backend: 'wasm', deviceMemoryGiB: null })).toBeNull();
    expect(modelWillNotFit(6.4e9, { backend: 'webgpu', deviceMemoryGiB: 8 })).toBeNull(); // 8 is the cap: no limit known
  });
  it("refuses a model larger than the device's reported memory, when below the cap", () => {
    expect(modelWillNotFit(3e9, { backend: 'webgpu', deviceMemoryGiB: 2 })).toBe("the model is 3.0 GB, more than this device's 2 GiB of memory (navigator.deviceMemory): choose a smaller model");
    expect(modelWillNotFit(1e9, { backend: 'webgpu', deviceMemoryGiB: 2 })).toBeNull();
  });
});

describe('sizeFromContentRange', () => {
  it('reads the total of a one-byte range answer', () => {
    expect(sizeFromContentRange(206, 'bytes 0-0/20971520')).toBe(20971520);
    expect(sizeFromContentRange(404, null)).toBeNull();
    expect(sizeFromContentRange(200, null)).toBeNull();
    expect(sizeFromContentRange(206, 'bytes 0-0/*')).toBeNull();
  });
});
