// A model that will not fit is refused before it is downloaded: its size (the .onnx and its external data,
// read from one-byte Range answers) against what this browser can hold, said with both numbers.

/** WebAssembly's 32-bit memory: onnxruntime-web's WASM backend holds every weight in it. */
export const WASM_MEMORY_LIMIT = 4 * 1024 ** 3;
/** navigator.deviceMemory is capped (and rounded) at this many GiB: only a smaller figure is a real limit. */
const DEVICE_MEMORY_CAP_GIB = 8;

export interface BrowserLimits {
  backend: 'webgpu' | 'wasm';
  /** navigator.deviceMemory (GiB, approximate), or null where the browser does not say. */
  deviceMemoryGiB: number | null;
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/** Why a model of `modelBytes` will not fit, in one line with what to do, or null when it may. */
export function modelWillNotFit(modelBytes: number, limits: BrowserLimits): string | null {
  if (limits.backend === 'wasm' && modelBytes > WASM_MEMORY_LIMIT) {
    return `the model is ${gb(modelBytes)}, more than WebAssembly's 4 GiB memory (${gb(WASM_MEMORY_LIMIT)}) that the WASM backend must hold it in: choose a smaller model, or a browser with WebGPU`;
  }
  const memory = limits.deviceMemoryGiB;
  if (memory !== null && memory < DEVICE_MEMORY_CAP_GIB && modelBytes > memory * 1024 ** 3) {
    return `the model is ${gb(modelBytes)}, more than this device's ${memory} GiB of memory (navigator.deviceMemory): choose a smaller model`;
  }
  return null;
}

/** A file's size from the Content-Range of a one-byte Range answer ("bytes 0-0/12345"), or null (missing, or no ranges). */
export function sizeFromContentRange(status: number, contentRange: string | null): number | null {
  if (status !== 206 || contentRange === null) return null;
  const total = /\/(\d+)$/.exec(contentRange)?.[1];
  return total === undefined ? null : Number(total);
}

/** The adapter's limits on one GPU buffer (GPUAdapter.limits); onnxruntime-web puts each weight in a buffer of its own. */
export interface GpuBufferLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** The most one weight may hold on this adapter: a buffer no larger than either limit. */
export function largestGpuBuffer(limits: GpuBufferLimits): number {
  return Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Why a weight of `tensorBytes` (the model's largest, `tensorName`) cannot be a buffer on this adapter, with what to do; or null. */
export function weightWillNotFitGpu(tensorName: string, tensorBytes: number, limits: GpuBufferLimits): string | null {
  if (tensorBytes <= largestGpuBuffer(limits)) return null;
  const which = limits.maxStorageBufferBindingSize <= limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
  return (
    `the model's largest weight (${tensorName || 'unnamed'}) is ${mb(tensorBytes)}, more than this GPU adapter's largest buffer ` +
    `(${which} ${mb(largestGpuBuffer(limits))}; maxBufferSize ${mb(limits.maxBufferSize)}, maxStorageBufferBindingSize ${mb(limits.maxStorageBufferBindingSize)}): ` +
    'add ?backend=wasm to the URL to run it on the CPU, or choose a smaller model'
  );
}
