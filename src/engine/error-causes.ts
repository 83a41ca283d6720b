// Two failures that the engine's libraries report in their own words, named as what they are, with what to do:
// running out of memory (WASM's 4 GiB, the GPU's buffers, the tab's heap) and a host's Content-Security-Policy
// refusing code generation or a worker. Anything else is left as it was said.

const OUT_OF_MEMORY = /out of memory|\bOOM\b|Array buffer allocation failed|Cannot enlarge memory|could not allocate|failed to allocate|bad_alloc|WebAssembly\.Memory|Maximum call stack/i;
const CSP = /Content[- ]Security[- ]Policy|unsafe-eval|EvalError|Refused to (evaluate|compile|load|create)/i;

/** The message with its cause named and what to do, or null when it is neither out of memory nor the CSP. */
export function namedCause(message: string): string | null {
  if (CSP.test(message)) {
    return `blocked by the host's Content-Security-Policy (${message}): the deck needs script-src 'self' 'wasm-unsafe-eval' and worker-src 'self' blob: (see the README)`;
  }
  if (OUT_OF_MEMORY.test(message)) {
    return `out of memory (${message}): this browser cannot hold the model; try a smaller model or ?backend=wasm, or close other tabs and reload`;
  }
  return null;
}

/** A failure inside WebGPU rather than in the model or the prompt: a lost device, a GPU buffer or a mapping that failed. */
const GPU_FAILURE = /device (was |is )?(lost|destroyed)|GPUDevice|lost the (GPU|device)|webgpu|GPUBuffer|mapAsync|GPU (process|hang|reset)/i;

/** Whether a run's error on WebGPU means the GPU itself failed (the deck then falls back to WASM). */
export function isGpuFailure(message: string): boolean {
  return GPU_FAILURE.test(message);
}

/**
 * A GPU failure in a few words for the badge: onnxruntime's errors carry a source path and status codes before
 * the browser's own words ("... message: Failed to execute 'mapAsync' on 'GPUBuffer': ..."), which are kept.
 */
export function shortGpuReason(message: string, limit = 140): string {
  const browserWords = /.*\bmessage: ([^\n]+)/s.exec(message)?.[1] ?? message; // the last, lower-case one: the browser's
  const line = browserWords.replace(/\s+/g, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}
