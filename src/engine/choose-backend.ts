// Chooses where the model runs in this browser: WebGPU when a hardware adapter exists, else WASM.
// transformers.js does not fall back by itself (device 'webgpu' without an adapter just fails),
// so we ask first. A software adapter (SwiftShader, a CPU emulation of a GPU) is not chosen: a forward
// pass there takes seconds where WASM takes milliseconds. `?backend=wasm|webgpu` in the URL forces one. The precision follows (see
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
  /** Why this backend, in one line (chooseBackend always says): for the speaker view and preflight, not the audience. */
  reason?: string;
  /** Absent: fp32 unless the engine is told otherwise. */
  precision?: PrecisionPreference;
}

/** The part of navigator.gpu we use (WebGPU's types are not in TypeScript's DOM library). */
export interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** GPUAdapterInfo's fields we read (all optional: older browsers lack some). */
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** Names of GPU emulations that run on the CPU, as adapters report them. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b|\bcpu\b/i;

function adapterInfo(adapter: unknown): AdapterInfoLike {
  const info = (adapter as { info?: unknown } | null)?.info;
  return info && typeof info === 'object' ? (info as AdapterInfoLike) : {};
}

/** The adapter in words: "google swiftshader", "nvidia ampere (NVIDIA GeForce RTX 3060)"; '' when it says nothing. */
export function describeAdapter(adapter: unknown): string {
  const info = adapterInfo(adapter);
  const name = [info.vendor, info.architecture].filter((part) => part && part.trim()).join(' ');
  const detail = [info.device, info.description].filter((part) => part && part.trim()).join(', ');
  return [name, detail ? `(${detail})` : ''].filter(Boolean).join(' ');
}

/**
 * Whether the adapter is a software fallback: flagged by the browser (info.isFallbackAdapter, or
 * the older adapter.isFallbackAdapter) or named as a CPU emulation (SwiftShader, llvmpipe, WARP).
 */
export function isSoftwareAdapter(adapter: unknown): boolean {
  if (!adapter) return false;
  if ((adapter as { isFallbackAdapter?: unknown }).isFallbackAdapter === true) return true;
  const info = adapterInfo(adapter);
  if (info.isFallbackAdapter === true) return true;
  return SOFTWARE_ADAPTER.test([info.vendor, info.architecture, info.device, info.description].join(' '));
}

function softwareAdapterName(adapter: unknown): string {
  const described = describeAdapter(adapter);
  return /swiftshader/i.test(described) ? 'SwiftShader' : described || 'a CPU emulation';
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

/** Whether this page is a secure context (https, or localhost): browsers give WebGPU to those only. */
function browserSecureContext(): boolean {
  return typeof isSecureContext === 'undefined' || isSecureContext;
}

export async function chooseBackend(search: string, gpu: GpuLike | undefined = browserGpu(), secureContext = browserSecureContext()): Promise<BackendChoice> {
  const forced = forcedBackend(search);
  const precision = (shaderF16: boolean): PrecisionPreference => ({ forced: forcedPrecision(search), shaderF16 });
  if (forced === 'wasm') return { backend: 'wasm', notice: 'WASM forced by ?backend=wasm', reason: 'WASM forced by ?backend=wasm', precision: precision(false) };
  let adapter: unknown = null;
  try {
    adapter = gpu ? await gpu.requestAdapter() : null;
  } catch {
    adapter = null; // some browsers throw instead of resolving null
  }
  const software = isSoftwareAdapter(adapter);
  if (forced === 'webgpu') {
    const caveat = software ? ` (a software adapter, ${softwareAdapterName(adapter)}: WASM is usually much faster here)` : '';
    return { backend: 'webgpu', notice: 'WebGPU forced by ?backend=webgpu', reason: `WebGPU forced by ?backend=webgpu${caveat}`, precision: precision(hasShaderF16(adapter)) };
  }
  if (adapter && !software) {
    const described = describeAdapter(adapter);
    return { backend: 'webgpu', notice: null, reason: `WebGPU: a hardware adapter${described ? ` (${described})` : ''}`, precision: precision(hasShaderF16(adapter)) };
  }
  if (adapter) {
    const why = `WebGPU's adapter is a software fallback (${softwareAdapterName(adapter)}, emulated on the CPU): running on WASM, which is faster here; ?backend=webgpu forces WebGPU`;
    return { backend: 'wasm', notice: why, reason: why, precision: precision(false) };
  }
  const notice = gpu
    ? 'No WebGPU adapter: running on WASM (CPU)'
    : secureContext
      ? 'No WebGPU in this browser: running on WASM (CPU)'
      : 'No WebGPU on plain http (browsers give it to https and localhost only): running on WASM (CPU)';
  return { backend: 'wasm', notice, reason: notice, precision: precision(false) };
}
