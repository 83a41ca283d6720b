// The engine worker: the only code in the browser that runs the model. It keeps one loaded model
// (a singleton, as in the transformers.js examples) and answers `load` and `run` messages
// (see protocol.ts). It never touches the DOM.
import { env } from '@huggingface/transformers';
import { GREEDY } from '../maths/sampling';
import type { Generation, GenerationRun, Trace } from '../trace';
import { generate } from './generate';
import { loadModel, type LoadedModel } from './load-model';
import type { EngineMessage, EngineRequest, LoadRequest, RunRequest } from './protocol';
import { traceTransferables } from './protocol';
import { recordFetchedFiles } from './recording-fetch';
import { PromptError, runTrace } from './run-trace';

/** A few tokens through the whole graph, so the presenter's first prompt is not the slow one. */
const WARM_UP_PROMPT = 'The state of the union is';
/** Tokens generated after each prompt's Trace, with and then without the KV cache. */
const GENERATED_TOKENS = 24;

/** Model files, downloaded once and kept: the weights come from the ONNX file's bytes. */
const modelFiles = recordFetchedFiles((url) => url.includes('/models/'));

let loading: Promise<LoadedModel> | null = null;
/** The newest run asked for: an older run still queued is skipped, its answer would be dropped anyway. */
let newestRequestId = -1;
/** Runs one at a time, in order. */
let queue: Promise<void> = Promise.resolve();

function post(message: EngineMessage, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(message, transfer);
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

async function load(request: LoadRequest): Promise<void> {
  post({ type: 'loading', modelName: request.modelName, backend: request.backend });
  let lastFile: string | null = null;
  let lastOnnxFile: string | null = null;
  const started = performance.now();
  try {
    configureRuntime(request);
    loading = loadModel({
      name: request.modelName,
      modelRoot: request.modelRoot,
      backend: request.backend,
      readModelBytes: () => modelFiles.bytes('/onnx/model.onnx'),
      onProgress: ({ file, loaded, total }) => {
        lastFile = file;
        if (file.endsWith('.onnx')) lastOnnxFile = file;
        post({ type: 'progress', file, loaded, total });
      },
    });
    const loaded = await loading;
    const loadMs = performance.now() - started;
    const warmUpStarted = performance.now();
    await runTrace(loaded, WARM_UP_PROMPT);
    post({ type: 'ready', model: loaded.info, backend: request.backend, loadMs, warmUpMs: performance.now() - warmUpStarted });
  } catch (error) {
    loading = null;
    console.error('the model failed to load', error);
    let message = errorText(error);
    // Files load in parallel, so the last one reported is only a guess; onnxruntime's errors are the graph's.
    let blamed: string | null = isOnnxRuntimeError(message) ? lastOnnxFile : lastFile;
    if (message.includes("reading 'tokenizer_class'")) {
      // transformers.js 4.3 says no more than this when tokenizer_config.json is not found.
      message = 'tokenizer_config.json was not found';
      blamed = 'tokenizer_config.json';
    }
    const file = fileNamedIn(message, request.modelRoot + request.modelName + '/') ?? blamed;
    post({ type: 'error', requestId: null, kind: 'load', message, file });
  }
}

async function run(request: RunRequest): Promise<void> {
  if (request.requestId < newestRequestId) return; // superseded while it waited
  try {
    if (!loading) throw new Error('the model is not loaded');
    const loaded = await loading;
    const trace = await runTrace(loaded, request.prompt);
    const promptIds = trace.tokens.map((token) => token.id);
    post({ type: 'trace', requestId: request.requestId, trace }, traceTransferables(trace));
    await streamGeneration(loaded, request.requestId, trace.prompt, promptIds);
  } catch (error) {
    post({ type: 'error', requestId: request.requestId, kind: error instanceof PromptError ? 'prompt' : 'run', message: errorText(error), file: null });
  }
}

/**
 * Greedy continuation of the prompt, token by token, first with the KV cache and then without it
 * (the KV-cache slide compares the two). Each step is posted as it comes; a newer prompt stops it.
 */
async function streamGeneration(loaded: LoadedModel, requestId: number, prompt: Trace['prompt'], promptIds: number[]): Promise<void> {
  const superseded = () => newestRequestId > requestId;
  let generation: Generation = {
    prompt,
    promptIds,
    sampling: { temperature: GREEDY.temperature, topK: GREEDY.topK, topP: GREEDY.topP },
    seed: 0,
    maxNewTokens: GENERATED_TOKENS,
    stopIds: [],
    cached: { useCache: true, steps: [], done: false, stoppedBy: null },
    uncached: null,
    uncachedLimit: GENERATED_TOKENS,
    prefixReuse: null,
  };
  const publish = (run: GenerationRun) => {
    generation = run.useCache ? { ...generation, cached: run } : { ...generation, uncached: run };
    post({ type: 'generation', requestId, generation });
  };
  for (const useCache of [true, false]) {
    let run: GenerationRun = { useCache, steps: [], done: false, stoppedBy: null };
    await generate(loaded, promptIds, {
      maxNewTokens: GENERATED_TOKENS,
      useCache,
      shouldStop: superseded,
      onStep: (step) => publish((run = { ...run, steps: [...run.steps, step] })),
    });
    if (superseded()) return;
    publish({ ...run, done: true });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** onnxruntime-web failing to build a session from the graph ("Can't create a session. ERROR_CODE: 7 ..."). */
function isOnnxRuntimeError(message: string): boolean {
  return /create a session|ERROR_CODE|protobuf/i.test(message);
}

/** transformers.js names a missing file by its full URL; we want it relative to the model folder. */
function fileNamedIn(message: string, folderUrl: string): string | null {
  const at = message.indexOf(folderUrl);
  if (at < 0) return null;
  return message.slice(at + folderUrl.length).split(/["'\s]/)[0] || null;
}

self.addEventListener('message', (event: MessageEvent<EngineRequest>) => {
  const request = event.data;
  if (request.type === 'run') newestRequestId = Math.max(newestRequestId, request.requestId);
  queue = queue.then(() => (request.type === 'load' ? load(request) : run(request)));
});
