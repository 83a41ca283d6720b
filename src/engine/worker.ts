// The engine worker: the only code in the browser that runs the model. It keeps one loaded model
// (a singleton, as in the transformers.js examples) and answers `load` and `run` messages
// (see protocol.ts). It never touches the DOM.
import { env } from '@huggingface/transformers';
import { GREEDY } from '../maths/sampling';
import type { Generation, GenerationRun, Trace } from '../trace';
import { fetchByteRange } from './fetch-byte-range';
import { generateRun } from './generate';
import type { KvCache } from './kv-cache';
import { loadModel, type LoadedModel } from './load-model';
import { measurePrefixReuse } from './prefix-reuse';
import type { EngineMessage, EngineRequest, LoadRequest, RunRequest } from './protocol';
import { traceTransferables } from './protocol';
import { recordFetchedFiles } from './recording-fetch';
import { PromptError, runTrace } from './run-trace';

/** A few tokens through the whole graph, so the presenter's first prompt is not the slow one. */
const WARM_UP_PROMPT = 'The state of the union is';
/** The answer's default token limit: a chat model's answer runs to its end-of-turn id, a base model's is a glimpse. */
const CHAT_ANSWER_TOKENS = 128;
const BASE_ANSWER_TOKENS = 24;
/** The without-cache comparison recomputes every position at every step: a short run says enough. */
const UNCACHED_STEPS = 16;

/** Model files, downloaded once and kept: the weights come from the ONNX file's bytes. */
// Not the external data files (onnx/*.onnx_data, gigabytes): the weights the slides need are read from them by range.
const modelFiles = recordFetchedFiles((url) => url.includes('/models/') && !url.endsWith('_data'));

let loading: Promise<LoadedModel> | null = null;
/** The last answer's KV cache (prompt and answer), for a follow-up turn that begins with the same tokens. */
let previousTurn: KvCache | null = null;
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
    previousTurn = null;
    loading = loadModel({
      name: request.modelName,
      modelRoot: request.modelRoot,
      backend: request.backend,
      readModelBytes: (file) => modelFiles.bytes('/' + file),
      readModelRange: (file, offset, length) => fetchByteRange(request.modelRoot + request.modelName + '/' + file, offset, length),
      precision: request.precision,
      readTextFile: (file) => readModelText(request.modelRoot + request.modelName + '/' + file),
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
    const trace = await runTrace(loaded, { prompt: request.prompt, system: request.system, history: request.history, chat: request.chat });
    const promptIds = trace.tokens.map((token) => token.id);
    const chatModel = trace.chat.template === 'model';
    post({ type: 'trace', requestId: request.requestId, trace }, traceTransferables(trace));
    await streamGeneration(loaded, request, trace.prompt, promptIds, chatModel);
  } catch (error) {
    post({ type: 'error', requestId: request.requestId, kind: error instanceof PromptError ? 'prompt' : 'run', message: errorText(error), file: null });
  }
}

/**
 * The answer, token by token, first with the KV cache and then (capped) without it: the KV-cache slide
 * compares the two. Greedy unless the request asks for sampling. For a follow-up turn, the previous
 * answer's cache serves the shared prefix, and what that saves is measured first. Each step is posted
 * as it comes; a newer prompt stops it.
 */
async function streamGeneration(loaded: LoadedModel, request: RunRequest, prompt: Trace['prompt'], promptIds: number[], chatModel: boolean): Promise<void> {
  const requestId = request.requestId;
  const superseded = () => newestRequestId > requestId;
  const maxNewTokens = request.maxNewTokens ?? (chatModel ? CHAT_ANSWER_TOKENS : BASE_ANSWER_TOKENS);
  const sampling = request.sampling ? { temperature: request.sampling.temperature, topK: request.sampling.topK, topP: request.sampling.topP } : { temperature: GREEDY.temperature, topK: GREEDY.topK, topP: GREEDY.topP };
  const seed = request.sampling?.seed ?? 0;
  const uncachedLimit = Math.min(UNCACHED_STEPS, maxNewTokens);
  let generation: Generation = {
    prompt,
    promptIds,
    sampling,
    seed,
    maxNewTokens,
    stopIds: loaded.stopIds,
    cached: { useCache: true, steps: [], done: false, stoppedBy: null },
    uncached: null,
    uncachedLimit,
    prefixReuse: null,
  };
  const publish = (change: Partial<Generation>) => {
    generation = { ...generation, ...change };
    post({ type: 'generation', requestId, generation });
  };

  // A follow-up: reuse the previous turn's cache for the prefix this input shares with it.
  const previous = previousTurn;
  let startCache: KvCache | undefined;
  if (previous && request.history?.length) {
    const measured = await measurePrefixReuse(loaded, promptIds, previous);
    startCache = measured.startCache ?? undefined;
    if (superseded()) return;
    publish({ prefixReuse: measured.reuse });
  }

  for (const useCache of [true, false]) {
    let run: GenerationRun = { useCache, steps: [], done: false, stoppedBy: null };
    const result = await generateRun(loaded, promptIds, {
      maxNewTokens: useCache ? maxNewTokens : uncachedLimit,
      sampling,
      seed,
      useCache,
      startCache: useCache ? startCache : undefined,
      keepCache: useCache,
      shouldStop: superseded,
      onStep: (step) => {
        run = { ...run, steps: [...run.steps, step] };
        publish(useCache ? { cached: run } : { uncached: run });
      },
    });
    if (result.cache) previousTurn = result.cache;
    if (superseded()) return;
    run = { ...run, done: true, stoppedBy: result.stoppedBy };
    publish(useCache ? { cached: run } : { uncached: run });
  }
}

/** A text file of the model folder from the deck's server, or null when it has none. */
async function readModelText(url: string): Promise<string | null> {
  try {
    const response = await fetch(url);
    // A dev server may answer a missing file with its index page: that is not a template.
    if (!response.ok || (response.headers.get('content-type') ?? '').includes('text/html')) return null;
    return await response.text();
  } catch {
    return null;
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
