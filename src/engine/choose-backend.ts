// Chooses where the model runs in this browser: WebGPU when an adapter exists, else WASM.
// transformers.js does not fall back by itself (device 'webgpu' without an adapter just fails),
// so we ask first. `?backend=wasm|webgpu` in the URL forces one. Always fp32 (see load-model.ts).
import type { BrowserBackend } from './protocol';

export interface BackendChoice {
  backend: BrowserBackend;
  /** Said quietly on the deck when the choice is not the default one; null otherwise. */
  notice: string | null;
}

/** The part of navigator.gpu we use (WebGPU's types are not in TypeScript's DOM library). */
interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

export function forcedBackend(search: string): BrowserBackend | null {
  const value = new URLSearchParams(search).get('backend');
  return value === 'wasm' || value === 'webgpu' ? value : null;
}

function browserGpu(): GpuLike | undefined {
  return typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { gpu?: GpuLike }).gpu;
}

export async function chooseBackend(search: string, gpu: GpuLike | undefined = browserGpu()): Promise<BackendChoice> {
  const forced = forcedBackend(search);
  if (forced === 'wasm') return { backend: 'wasm', notice: 'WASM forced by ?backend=wasm' };
  if (forced === 'webgpu') return { backend: 'webgpu', notice: 'WebGPU forced by ?backend=webgpu' };
  let adapter: unknown = null;
  try {
    adapter = gpu ? await gpu.requestAdapter() : null;
  } catch {
    adapter = null; // some browsers throw instead of resolving null
  }
  if (adapter) return { backend: 'webgpu', notice: null };
  return { backend: 'wasm', notice: gpu ? 'No WebGPU adapter: running on WASM (CPU)' : 'No WebGPU in this browser: running on WASM (CPU)' };
}
