// Chooses where the model runs in this browser: WebGPU when an adapter exists, else WASM.
// transformers.js does not fall back by itself (device 'webgpu' without an adapter just fails),
// so we ask first. `?backend=wasm|webgpu` in the URL forces one. The precision follows (see
// choosePrecision): fp16 on WebGPU when the adapter has shader-f16 and the model folder has
// onnx/model_fp16.onnx; `?dtype=fp32|fp16` forces one.
import type { BrowserBackend } from './protocol';

export type Precision = 'fp32' | 'fp16';

/** What the page knows for the precision choice; the worker adds what the model folder has. */
export interface PrecisionPreference {
  /** From ?dtype=; null lets the engine choose. */
  forced: Precision | null;
  /** The WebGPU adapter can run f16 shaders (false without an adapter). */
  shaderF16: boolean;
}

export interface BackendChoice {
  backend: BrowserBackend;
  /** Said quietly on the deck when the choice is not the default one; null otherwise. */
  notice: string | null;
  /** Absent: fp32 unless the engine is told otherwise. */
  precision?: PrecisionPreference;
}

/** The part of navigator.gpu we use (WebGPU's types are not in TypeScript's DOM library). */
interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

export function forcedPrecision(search: string): Precision | null {
  const value = new URLSearchParams(search).get('dtype');
  return value === 'fp32' || value === 'fp16' ? value : null;
}

/** An adapter's `features` set, read defensively (it is a GPUSupportedFeatures, a set-like object). */
function hasShaderF16(adapter: unknown): boolean {
  const features = (adapter as { features?: { has?: (name: string) => boolean } } | null)?.features;
  return typeof features?.has === 'function' && features.has('shader-f16');
}

/**
 * fp16 when forced, or on WebGPU with shader-f16 when the folder has it (config.json's onnx_dtypes,
 * written by the converter: offline-safe, no probing request); fp32 otherwise. A forced precision the
 * folder lacks is an error the presenter sees, not a silent fallback.
 */
export function choosePrecision(backend: string, preference: PrecisionPreference, available: readonly Precision[]): Precision {
  if (preference.forced) {
    if (!available.includes(preference.forced)) {
      throw new Error(`?dtype=${preference.forced}: this model folder has no ${preference.forced} model (convert it with --dtype ${preference.forced})`);
    }
    return preference.forced;
  }
  return backend === 'webgpu' && preference.shaderF16 && available.includes('fp16') ? 'fp16' : 'fp32';
}

/** The precisions a converted folder offers, from its config.json (onnx_dtypes; absent: fp32 only). */
export function availablePrecisions(config: { onnx_dtypes?: unknown }): Precision[] {
  const listed = Array.isArray(config.onnx_dtypes) ? config.onnx_dtypes.filter((d): d is Precision => d === 'fp32' || d === 'fp16') : [];
  return listed.length > 0 ? listed : ['fp32'];
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
  const precision = (shaderF16: boolean): PrecisionPreference => ({ forced: forcedPrecision(search), shaderF16 });
  if (forced === 'wasm') return { backend: 'wasm', notice: 'WASM forced by ?backend=wasm', precision: precision(false) };
  let adapter: unknown = null;
  try {
    adapter = gpu ? await gpu.requestAdapter() : null;
  } catch {
    adapter = null; // some browsers throw instead of resolving null
  }
  if (forced === 'webgpu') return { backend: 'webgpu', notice: 'WebGPU forced by ?backend=webgpu', precision: precision(hasShaderF16(adapter)) };
  if (adapter) return { backend: 'webgpu', notice: null, precision: precision(hasShaderF16(adapter)) };
  const notice = gpu ? 'No WebGPU adapter: running on WASM (CPU)' : 'No WebGPU in this browser: running on WASM (CPU)';
  return { backend: 'wasm', notice, precision: precision(false) };
}
