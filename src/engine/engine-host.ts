// The engine's message handling, apart from the worker's `self` so Node can test it: `load` and `run`
// requests run one at a time, in order; a run superseded while it waited is skipped, and one
// superseded while it streams its answer stops; a failed load names the model file it is blamed on.
// The model itself comes through `engine` (the worker passes the real loader and runTrace; tests a fake).
import type { KnockOut, ModelInfo, Trace } from '../trace';
import type { AnswerCallbacks, AnswerInput, AnswerSession } from './answer-stream';
import type { Conversation } from './chat-input';
import type { EngineMessage, EngineRequest, LoadRequest, RunRequest } from './protocol';
import { traceTransferables } from './protocol';
import { isGpuFailure, namedCause, shortGpuReason } from './error-causes';
import { PromptError } from './run-trace';
import { KnockOutError } from './knock-out';
import { disposeGpuTensors, type KvCache } from './kv-cache';

/** A few tokens through the whole graph, so the presenter's first prompt is not the slow one. */
export const WARM_UP_PROMPT = 'The state of the union is';

export type PostMessage = (message: EngineMessage, transfer?: Transferable[]) => void;

export interface FileProgress {
  /** File inside the model folder, e.g. "onnx/model.onnx". */
  file: string;
  loaded: number;
  total: number;
}

/** What the host needs of a model: loading it, a Trace, and the streamed answer. */
export interface Engine<Model extends { info: ModelInfo }> {
  load(request: LoadRequest, onProgress: (progress: FileProgress) => void): Promise<Model>;
  trace(model: Model, input: string | Conversation, options?: { knockOut?: KnockOut | null; deferLens?: boolean; onCache?: (cache: KvCache) => void }): Promise<Trace>;
  answer(model: Model, input: AnswerInput, session: AnswerSession, callbacks: AnswerCallbacks): Promise<void>;
  /** On WebGPU, once the model is loaded: calls `lost` when the GPU device is lost (the worker's: GPUDevice.lost). */
  watchGpu?(model: Model, lost: (reason: string) => void): void;
}

export interface EngineHost {
  /** Queues a request; the promise settles when it has been handled (errors are posted, never thrown). */
  receive(request: EngineRequest): Promise<void>;
}

export function createEngineHost<Model extends { info: ModelInfo }>(post: PostMessage, engine: Engine<Model>): EngineHost {
  let loading: Promise<Model> | null = null;
  /** The last answer's KV cache (prompt and answer), for a follow-up turn that begins with the same tokens. */
  const session: AnswerSession = { previousTurn: null };
  /** The newest run asked for: an older run still queued is skipped, its answer would be dropped anyway. */
  let newestRequestId = -1;
  /** Runs one at a time, in order. */
  let queue: Promise<void> = Promise.resolve();
  /** The backend of the last load. */
  let backend: LoadRequest['backend'] | null = null;
  /** Why the GPU was lost (said once to the client), or null while it works. */
  let gpuLost: string | null = null;
  /** A slide that shows the logit lens is on screen: an answer computes a lens the Trace left to it at once. */
  let lensOnScreen = false;

  /** The GPU failed: said once; this worker runs nothing more on it (the client moves the model to WASM). */
  function loseGpu(reason: string): void {
    if (gpuLost !== null) return;
    gpuLost = reason;
    console.warn('the GPU device was lost:', reason);
    post({ type: 'device-lost', reason: shortGpuReason(reason) });
  }

  async function load(request: LoadRequest): Promise<void> {
    post({ type: 'loading', modelName: request.modelName, backend: request.backend });
    const files = { last: null as string | null, lastOnnx: null as string | null };
    const started = performance.now();
    try {
      session.previousTurn = null;
      loading = engine.load(request, (progress) => {
        files.last = progress.file;
        if (progress.file.endsWith('.onnx')) files.lastOnnx = progress.file;
        post({ type: 'progress', ...progress });
      });
      const loaded = await loading;
      backend = request.backend;
      if (request.backend === 'webgpu') engine.watchGpu?.(loaded, loseGpu);
      const loadMs = performance.now() - started;
      const warmUpStarted = performance.now();
      await engine.trace(loaded, WARM_UP_PROMPT);
      post({ type: 'ready', model: loaded.info, backend: request.backend, loadMs, warmUpMs: performance.now() - warmUpStarted });
    } catch (error) {
      loading = null;
      if (request.backend === 'webgpu' && (gpuLost !== null || isGpuFailure(errorText(error)))) {
        loseGpu(gpuLost ?? errorText(error)); // the warm-up failed on a lost GPU: the client reloads on WASM
        return;
      }
      console.error('the model failed to load', error);
      const cause = namedCause(errorText(error)); // out of memory, or the host's CSP: no file to blame
      post({ type: 'error', requestId: null, kind: 'load', ...(cause ? { message: cause, file: null } : blameLoadError(errorText(error), request.modelRoot + request.modelName + '/', files)) });
    }
  }

  async function run(request: RunRequest): Promise<void> {
    if (request.requestId < newestRequestId) return; // superseded while it waited
    if (gpuLost !== null) return; // nothing runs on a lost GPU: the client is moving the model to WASM
    const passCache: { kept: KvCache | null } = { kept: null }; // the Trace's pass's cache, until the answer takes it
    try {
      if (!loading) throw new Error('the model is not loaded');
      const loaded = await loading;
      const conversation = { prompt: request.prompt, system: request.system, history: request.history, chat: request.chat };
      const deferLens = request.lensWithTrace !== true;
      const onCache = (cache: KvCache) => (passCache.kept = cache); // the answer goes on from it
      let trace: Trace;
      try {
        // The lens is left to the answer unless its slide is on screen: the slide on screen comes sooner either way,
        // and the answer computes it once done, or at once if its slide comes on screen meanwhile (lensOnScreen).
        trace = await engine.trace(loaded, conversation, { knockOut: request.knockOut, deferLens, onCache });
      } catch (error) {
        if (!(error instanceof KnockOutError)) throw error;
        // A knock-out this model cannot do: the plain run, with the reason for the slides to say.
        trace = { ...(await engine.trace(loaded, conversation, { deferLens, onCache })), knockOutRefused: error.message };
        request = { ...request, knockOut: null };
      }
      const promptIds = trace.tokens.map((token) => token.id);
      const chatModel = trace.chat.template === 'model';
      const cache = passCache.kept;
      const promptPass = cache ? { cache, lastLogits: trace.lastLogits.slice(), ms: trace.timings.forwardMs } : undefined; // a copy: the Trace's goes to the page
      passCache.kept = null; // the answer's now
      post({ type: 'trace', requestId: request.requestId, trace }, traceTransferables(trace));
      const lensFromAnswer = trace.extras?.logitLensFromAnswer === true;
      await engine.answer(loaded, { request, prompt: trace.prompt, promptIds, chatModel, lensFromAnswer, promptPass }, session, {
        publish: (generation) => post({ type: 'generation', requestId: request.requestId, generation }),
        superseded: () => newestRequestId > request.requestId,
        lensOnScreen: () => lensOnScreen,
      });
    } catch (error) {
      if (passCache.kept) disposeGpuTensors(Object.values(passCache.kept.past)); // the Trace failed after its pass: no answer takes the cache
      if (backend === 'webgpu' && (gpuLost !== null || isGpuFailure(errorText(error)))) {
        loseGpu(gpuLost ?? errorText(error)); // not this prompt's fault: the client reloads on WASM and runs it again
        return;
      }
      const prompt = error instanceof PromptError;
      post({ type: 'error', requestId: request.requestId, kind: prompt ? 'prompt' : 'run', message: (prompt ? null : namedCause(errorText(error))) ?? errorText(error), file: null });
    }
  }

  return {
    receive(request) {
      if (request.type === 'ping') {
        post({ type: 'pong', id: request.id }); // at once, not queued: it says the worker lives, even mid-run
        return Promise.resolve();
      }
      if (request.type === 'lens-on-screen') {
        lensOnScreen = request.onScreen; // at once, not queued: the answer under way reads it before its next step
        return Promise.resolve();
      }
      if (request.type === 'run') newestRequestId = Math.max(newestRequestId, request.requestId);
      queue = queue.then(() => (request.type === 'load' ? load(request) : run(request)));
      return queue;
    },
  };
}

/**
 * The message a failed load shows and the model file it is blamed on: a file the message names by
 * URL; else, for onnxruntime's errors, the last .onnx file that reported progress; else the last file.
 */
export function blameLoadError(message: string, folderUrl: string, files: { last: string | null; lastOnnx: string | null }): { message: string; file: string | null } {
  // Files load in parallel, so the last one reported is only a guess; onnxruntime's errors are the graph's.
  let blamed = isOnnxRuntimeError(message) ? files.lastOnnx : files.last;
  if (message.includes("reading 'tokenizer_class'")) {
    // transformers.js 4.3 says no more than this when tokenizer_config.json is not found.
    message = 'tokenizer_config.json was not found';
    blamed = 'tokenizer_config.json';
  }
  return { message, file: fileNamedIn(message, folderUrl) ?? blamed };
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
