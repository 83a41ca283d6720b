// Loading the model inside the worker: onnxruntime-web's runtime from the deck's own origin, the
// model files fetched once (and forgotten once loaded: the slides' weight-derived values come from
// trace-extras.json), external data left to transformers.js.
import { env } from '@huggingface/transformers';
import type { FileProgress } from './engine-host';
import { downloadFailure } from './download-error';
import { fetchByteRange } from './fetch-byte-range';
import { fetchFolderText, loadModel, type LoadedModel } from './load-model';
import { largestGpuBuffer, modelWillNotFit, sizeFromContentRange, weightWillNotFitGpu, type GpuBufferLimits } from './model-fit';
import { largestInitializer } from './onnx-largest-tensor';
import type { LoadRequest } from './protocol';
import { fetchFilesOnce } from './fetch-once';

/** The worker's loader: call once (it wraps transformers.js's fetch so each model file downloads once). */
export function browserModelLoader(): (request: LoadRequest, onProgress: (progress: FileProgress) => void) => Promise<LoadedModel> {
  // Not the external data files (onnx/*.onnx_data, gigabytes): never held twice in memory.
  const modelFiles = fetchFilesOnce((url) => url.includes('/models/') && !url.endsWith('_data'));
  const failedDownloads = refuseErrorAnswers();
  return async (request, onProgress) => {
    configureRuntime(request);
    const folderUrl = request.modelRoot + request.modelName + '/';
    failedDownloads.clear();
    try {
      return await loadModelFrom(request, folderUrl, onProgress);
    } catch (error) {
      // transformers.js reports a file it could not fetch as "not found": the host's status is the real cause.
      const [failure] = failedDownloads;
      throw failure === undefined ? error : new Error(failure);
    } finally {
      modelFiles.forget();
    }
  };

  function loadModelFrom(request: LoadRequest, folderUrl: string, onProgress: (progress: FileProgress) => void): Promise<LoadedModel> {
    return loadModel({
      name: request.modelName,
      modelRoot: request.modelRoot,
      backend: request.backend,
      precision: request.precision,
      // models.json says whether the folder has a chat_template.jinja: no request for one it does not have.
      readTextFile: (file) => (file === 'chat_template.jinja' && !request.listedChatTemplate ? Promise.resolve(null) : fetchFolderText(folderUrl + file)),
      checkFits: (files) => refuseIfTooLarge(files.map((file) => folderUrl + file), request.backend),
      onProgress,
    });
  }
}

/**
 * A model file answered with an error status (500, 403...) is refused rather than parsed as the file; what
 * the host answered is kept (the returned set), to replace the "not found" transformers.js then reports.
 */
function refuseErrorAnswers(): Set<string> {
  const failures = new Set<string>();
  const innerFetch = env.fetch;
  env.fetch = async (input: string | URL, init?: unknown) => {
    const response = (await innerFetch(input, init)) as Response;
    const failure = downloadFailure(response, new URL(typeof input === 'string' ? input : input.href, self.location.href).href);
    if (failure === null) return response;
    failures.add(failure);
    throw new Error(failure);
  };
  return failures;
}

/** Throws, before any weight is downloaded, when the weight files' total size will not fit in this browser. */
async function refuseIfTooLarge(urls: string[], backend: LoadRequest['backend']): Promise<void> {
  const sizes = await Promise.all(urls.map(fileSize));
  const total = sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
  const deviceMemory = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  const refusal = modelWillNotFit(total, { backend, deviceMemoryGiB: typeof deviceMemory === 'number' ? deviceMemory : null });
  if (refusal) throw new Error(refusal);
  if (backend === 'webgpu') await refuseIfWeightTooLargeForGpu(urls[0]!, sizes[0] ?? null, Math.max(...sizes.map((size) => size ?? 0)));
}

/**
 * On WebGPU each weight is one GPU buffer: the largest (from the .onnx's header, read by range) against the
 * adapter's maxBufferSize and maxStorageBufferBindingSize. No file larger than the limit: nothing to read.
 */
async function refuseIfWeightTooLargeForGpu(onnxUrl: string, onnxSize: number | null, largestFile: number): Promise<void> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ limits: GpuBufferLimits } | null> } }).gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  if (!adapter || onnxSize === null) return; // no adapter: transformers.js will say so; no size: the header cannot be walked
  const limits = { maxBufferSize: Number(adapter.limits.maxBufferSize), maxStorageBufferBindingSize: Number(adapter.limits.maxStorageBufferBindingSize) };
  if (largestFile <= largestGpuBuffer(limits)) return; // no weight is bigger than its file
  const largest = await largestInitializer((offset, length) => fetchByteRange(onnxUrl, offset, length), onnxSize);
  const refusal = largest && weightWillNotFitGpu(largest.name, largest.bytes, limits);
  if (refusal) throw new Error(refusal);
}

/** A file's size from a one-byte Range request (how transformers.js sizes files too), or null when the server does not say. */
async function fileSize(url: string): Promise<number | null> {
  try {
    const response = await fetch(url, { headers: { Range: 'bytes=0-0' } });
    await response.body?.cancel();
    return sizeFromContentRange(response.status, response.headers.get('Content-Range'));
  } catch {
    return null; // unreachable here: transformers.js's own request will say why
  }
}

/** onnxruntime-web's runtime comes from the deck's own origin, never from the CDN transformers.js defaults to. */
function configureRuntime(request: LoadRequest): void {
  const wasm = env.backends.onnx.wasm;
  if (!wasm) throw new Error('onnxruntime-web has no WASM backend in this build');
  wasm.wasmPaths = { mjs: request.ortRuntime.mjs, wasm: request.ortRuntime.wasm };
  // Threads need SharedArrayBuffer, i.e. cross-origin isolation; without it ort would warn, then use one.
  if (!self.crossOriginIsolated) wasm.numThreads = 1;
  // Model files are read fresh from the deck's server each time: a cached copy of an older model
  // would silently disagree with `npm run trace`.
  env.useBrowserCache = false;
  env.useWasmCache = false;
}

/** GPUDevice's part we use (WebGPU's types are not in TypeScript's DOM library). */
interface GpuDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}

/**
 * Calls `lost` when the GPUDevice onnxruntime-web runs the model on is lost (a driver reset, the GPU process
 * restarting, the device destroyed). Once a WebGPU session exists, ort.env.webgpu.device (transformers.js's
 * env.backends.onnx.webgpu) is that device; read before, it would create another, so call this after loading.
 */
export function watchGpuDevice(lost: (reason: string) => void): void {
  const webgpu = (env.backends.onnx as { webgpu?: { device?: unknown } }).webgpu;
  void Promise.resolve(webgpu?.device).then(
    (device) => {
      const gpuDevice = device as GpuDeviceLike | undefined;
      if (!gpuDevice || typeof gpuDevice.lost?.then !== 'function') {
        console.warn('live-llm: onnxruntime-web did not say which GPU device it runs on: a lost device will show as a failed run');
        return;
      }
      // For devtools and the device-loss browser test: liveLlmGpuDevice.destroy() imitates a lost GPU.
      Object.assign(self, { liveLlmGpuDevice: gpuDevice });
      void gpuDevice.lost.then((info) => lost([info.reason ?? 'unknown', info.message].filter(Boolean).join(': ')));
    },
    (error: unknown) => console.warn('live-llm: the GPU device could not be read:', error),
  );
}
