// The engine worker: the only code in the browser that runs the model. It keeps one loaded model
// (a singleton, as in the transformers.js examples) and answers `load` and `run` messages
// (see protocol.ts). It never touches the DOM.
import { env } from '@huggingface/transformers';
import { fetchByteRange } from './fetch-byte-range';
import { streamAnswer, type AnswerSession } from './answer-stream';
import { loadModel, type LoadedModel } from './load-model';
import type { EngineMessage, EngineRequest, LoadRequest, RunRequest } from './protocol';
import { traceTransferables } from './protocol';
import { recordFetchedFiles } from './recording-fetch';
import { PromptError, runTrace } from './run-trace';

/** A few tokens through the whole graph, so the presenter's first prompt is not the slow one. */
const WARM_UP_PROMPT = 'The state of the union is';

/** Model files, downloaded once and kept: the weights come from the ONNX file's bytes. */
// Not the external data files (onnx/*.onnx_data, gigabytes): the weights the slides need are read from them by range.
const modelFiles = recordFetchedFiles((url) => url.includes('/models/') && !url.endsWith('_data'));

let loading: Promise<LoadedModel> | null = null;
/** The last answer's KV cache (prompt and answer), for a follow-up turn that begins with the same tokens. */
const session: AnswerSession = { previousTurn: null };
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
    session.previousTurn = null;
    loading = loadModel({
      name: request.modelName,
      modelRoot: request.modelRoot,
      backend: request.backend,
      readModelBytes: (file) => modelFiles.bytes('/' + file),
      readModelRange: (file, offset, length) => fetchByteRange(request.modelRoot + request.modelName + '/' + file, offset, length),
      precision: request.precision,
      readTextFile: (file) => (request.listedChatTemplate ? readModelText(request.modelRoot + request.modelName + '/' + file) : Promise.resolve(null)),
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
    await streamAnswer(loaded, { request, prompt: trace.prompt, promptIds, chatModel }, session, {
      publish: (generation) => post({ type: 'generation', requestId: request.requestId, generation }),
      superseded: () => newestRequestId > request.requestId,
    });
  } catch (error) {
    post({ type: 'error', requestId: request.requestId, kind: error instanceof PromptError ? 'prompt' : 'run', message: errorText(error), file: null });
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
