// The main thread's side of the engine: sends prompts to the worker and keeps the deck's view of
// it (loading, progress, the latest Trace, errors) as one immutable state that listeners receive.
// Prompt changes are debounced while the presenter types, and a result for an older prompt is
// dropped, so an older Trace never replaces a newer one. Given a way to start workers, it also
// supervises them: a worker that fails, stops answering its heartbeat or hangs in a run is replaced,
// the model reloaded (from the HTTP or service-worker cache) and the prompt run again, once in a row.
// A lost WebGPU device (the worker's `device-lost`) moves the model to WASM and runs the prompt again there.
import type { ChatMessage, Generation, KnockOut, ModelInfo, Trace } from '../trace';
import type { BackendChoice } from './choose-backend';
import { isEmptyPrompt, normalizePrompt } from './prompt-rule';
import type { AnswerSampling, BrowserBackend, EngineMessage, EngineRequest, LoadRequest, OrtRuntimeUrls, RunRequest } from './protocol';

/** How the prompt runs, besides its text (see RunRequest): the rest of the conversation and the answer's settings. */
export interface RunOptions {
  /** A chat model's system message ('' for none). */
  system: string;
  /** Earlier turns, oldest first; empty for a first turn. */
  history: ChatMessage[];
  /** false: the prompt as typed even for a chat model. */
  chat: boolean;
  /** The answer's token limit, or null for the engine's default (128 chat, 24 base). */
  maxNewTokens: number | null;
  /** Sample the answer (reproducibly, with its seed), or null for greedy. */
  sampling: AnswerSampling | null;
  /** Heads and MLPs switched off (the who-voted slide's clicks); absent or null: the plain model. */
  knockOut?: KnockOut | null;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = { system: '', history: [], chat: true, maxNewTokens: null, sampling: null };

export type EnginePhase = 'starting' | 'loading' | 'ready' | 'failed';

export interface EngineState {
  phase: EnginePhase;
  modelName: string;
  /** The models the deck's models.json lists (null: no list), to tell a mistyped ?model= from a broken folder. */
  listedModels?: readonly string[] | null;
  backend: BrowserBackend | null;
  /** Said quietly next to the backend ("No WebGPU adapter: running on WASM"), or null. */
  backendNotice: string | null;
  model: ModelInfo | null;
  /** While loading: the file read last, and how far all files are together (0..1, null when sizes are unknown). */
  progress: { file: string; fraction: number | null } | null;
  /** Why the model could not load, and which file, when known. */
  loadError: { message: string; file: string | null } | null;
  loadMs: number | null;
  warmUpMs: number | null;
  /** The prompt as typed; the Trace below may still be for an older one while a run is in flight. */
  prompt: string;
  /** The conversation and answer settings the prompt runs with. */
  runOptions: RunOptions;
  /** The latest Trace, or null when the prompt is empty, nothing has run yet, or the last run failed. */
  trace: Trace | null;
  /** The continuation of the Trace's prompt, streamed after it (null until the first token). */
  generation: Generation | null;
  /** A run for `prompt` is pending or in flight. */
  running: boolean;
  /** Why the current prompt has no Trace (the model refused it, or the run failed), or null. */
  runError: string | null;
  /** How many times a dead or hung engine worker was replaced since the deck opened. */
  engineRestarts: number;
  /**
   * The last thing that happened to the engine itself, for the presenter (the speaker view's status line), or null:
   * a worker that stopped and was restarted, one that stopped for good, a lost GPU and the move to WASM.
   */
  engineEvent: string | null;
}

/** What the client needs from a Worker (a fake one in tests). */
export interface WorkerLike {
  postMessage(message: EngineRequest): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<EngineMessage>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  /** Stops it for good (a Worker's terminate): a replaced worker must not go on computing. */
  terminate?(): void;
}

/** How the client watches its worker (supervised mode only; see EngineClient's constructor). */
export interface SupervisionOptions {
  /** How often the worker is pinged. */
  heartbeatMs?: number;
  /** Silence while loading that counts as a dead worker (building a large model's session blocks the worker for a while). */
  loadSilenceMs?: number;
  /** Silence once loaded, at least; scaled up by the model's measured warm-up (runLimits). */
  runSilenceMs?: number;
}

/**
 * How long a loaded worker may stay silent, and a run may go without its Trace, before it counts as dead or
 * hung: generous, and scaled to the model on this machine by its warm-up pass (a 256-token prompt is
 * tens of warm-ups; a big model on WASM blocks the worker's event loop for the whole pass).
 */
export function runLimits(warmUpMs: number | null, minimumSilenceMs: number): { silenceMs: number; traceMs: number } {
  const warmUp = warmUpMs ?? 0;
  return { silenceMs: Math.max(minimumSilenceMs, 100 * warmUp), traceMs: Math.max(3 * minimumSilenceMs, 300 * warmUp) };
}

export interface LoadSettings {
  modelName: string;
  modelRoot: string;
  ortRuntime: OrtRuntimeUrls;
  choice: BackendChoice;
  /** models.json's chatTemplate for this folder (see LoadRequest.listedChatTemplate). */
  listedChatTemplate?: boolean;
  /** Every model models.json lists (null: no list). */
  listedModels?: readonly string[] | null;
}

export { isEmptyPrompt } from './prompt-rule';

export class EngineClient {
  #state: EngineState = {
    phase: 'starting',
    modelName: '',
    backend: null,
    backendNotice: null,
    model: null,
    progress: null,
    loadError: null,
    loadMs: null,
    warmUpMs: null,
    prompt: '',
    runOptions: DEFAULT_RUN_OPTIONS,
    trace: null,
    generation: null,
    running: false,
    runError: null,
    engineRestarts: 0,
    engineEvent: null,
  };
  readonly #listeners = new Set<(state: EngineState) => void>();
  #worker: WorkerLike;
  /** Starts a fresh worker (supervised mode), or null: a plain worker is not replaced when it dies. */
  readonly #spawn: (() => WorkerLike) | null;
  /** Counts workers: events of a replaced one are ignored. */
  #workerGeneration = 0;
  /** The last load sent, sent again to a replacement worker. */
  #loadRequest: LoadRequest | null = null;
  /** Worker deaths since the last Trace: the second in a row stops the retrying. */
  #failuresInARow = 0;
  /** When the oldest ping still unanswered was sent (null: the worker has answered since the last one). */
  #unansweredPingAt: number | null = null;
  /** When the run in flight was sent (null: none waits for its Trace). */
  #runSentAt: number | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #pingId = 0;
  readonly #supervision: Required<SupervisionOptions>;
  readonly #debounceMs: number;
  #debounceTimer: ReturnType<typeof setTimeout> | null = null;
  /** The slide on screen shows the logit lens (setLensWithTrace). */
  #lensWithTrace = false;
  /** Bytes read and expected per model file: the files load in parallel, progress is their sum. */
  readonly #fileProgress = new Map<string, { loaded: number; total: number }>();
  /** Id of the newest run sent; answers to any other id are stale. */
  #latestRequestId = 0;

  /**
   * `worker`: a worker, or a function that starts one; with a function the client supervises it (a
   * heartbeat, a run timeout, an `error` event) and replaces a dead one.
   */
  constructor(worker: WorkerLike | (() => WorkerLike), options: { debounceMs?: number } & SupervisionOptions = {}) {
    this.#spawn = typeof worker === 'function' ? worker : null;
    this.#debounceMs = options.debounceMs ?? 150;
    this.#supervision = { heartbeatMs: options.heartbeatMs ?? 2000, loadSilenceMs: options.loadSilenceMs ?? 120_000, runSilenceMs: options.runSilenceMs ?? 20_000 };
    this.#worker = this.#attach(typeof worker === 'function' ? worker() : worker);
  }

  /** Listens to a worker; anything from a worker replaced since is ignored. */
  #attach(worker: WorkerLike): WorkerLike {
    const generation = ++this.#workerGeneration;
    this.#unansweredPingAt = null;
    worker.addEventListener('message', (event) => {
      if (generation !== this.#workerGeneration) return;
      this.#unansweredPingAt = null; // anything it says proves it lives
      if (event.data.type !== 'pong') this.#onMessage(event.data);
    });
    worker.addEventListener('error', (event) => {
      // An uncaught error in the worker: its script failed to start, or it broke mid-run.
      if (generation === this.#workerGeneration) this.#workerDied(event.message || 'the engine worker failed to start');
    });
    if (this.#lensWithTrace) worker.postMessage({ type: 'lens-on-screen', onScreen: true }); // a replacement starts knowing
    return worker;
  }

  /** The heartbeat's check: a silent worker, or a run without its Trace for too long, is dead. */
  #checkWorker(): void {
    const { phase } = this.#state;
    if (phase !== 'loading' && phase !== 'ready') return;
    const now = Date.now();
    const limits = runLimits(this.#state.warmUpMs, this.#supervision.runSilenceMs);
    const silenceLimit = phase === 'loading' ? this.#supervision.loadSilenceMs : limits.silenceMs;
    // Silence counts from an unanswered ping, not from the last answer: a background tab's throttled
    // timers may check only once a minute, and a live worker must not look dead for it.
    const waitingSince = this.#unansweredPingAt;
    if (waitingSince !== null && now - waitingSince > silenceLimit) {
      this.#workerDied(`it stopped answering for ${Math.round((now - waitingSince) / 1000)} s`);
    } else if (phase === 'ready' && this.#runSentAt !== null && now - this.#runSentAt > limits.traceMs) {
      this.#workerDied(`a run took longer than ${Math.round(limits.traceMs / 1000)} s`);
    } else if (waitingSince === null) {
      this.#unansweredPingAt = now;
      this.#worker.postMessage({ type: 'ping', id: ++this.#pingId });
    }
  }

  /** The worker is dead or hung: replace it and run the prompt again, or, the second time in a row, stop and say so. */
  #workerDied(cause: string): void {
    if (this.#state.phase === 'failed') return; // already stopped, and said why
    this.#worker.terminate?.();
    this.#workerGeneration++; // whatever the old worker still sends is ignored
    this.#runSentAt = null;
    this.#failuresInARow++;
    if (!this.#spawn || this.#failuresInARow >= 2) {
      this.#stopHeartbeat();
      const what = this.#failuresInARow >= 2 ? 'the engine stopped again after a restart' : 'the engine stopped';
      const retry = this.#spawn ? 'no more retries; reload the page (or try ?backend=wasm or a smaller model)' : 'reload the page';
      const message = `${what} (${cause}): ${retry}.`;
      this.#update({ phase: 'failed', progress: null, running: false, runError: null, loadError: { message, file: null }, engineEvent: `${clock()} ${message}` });
      return;
    }
    console.warn(`live-llm: the engine stopped (${cause}); restarting it`);
    const hasPrompt = !isEmptyPrompt(this.#state.prompt);
    this.#update({
      phase: this.#loadRequest ? 'loading' : this.#state.phase, // died before load(): load() sends to the new one
      progress: null,
      running: hasPrompt,
      engineRestarts: this.#state.engineRestarts + 1,
      runError: `The engine stopped (${cause}). Restarting it and reloading the model${hasPrompt ? ', then running the prompt again' : ''}…`,
      engineEvent: `${clock()} the engine stopped (${cause}) and was restarted (restart ${this.#state.engineRestarts + 1}); the model reloads${hasPrompt ? ' and the prompt runs again' : ''}.`,
    });
    this.#fileProgress.clear();
    this.#worker = this.#attach(this.#spawn());
    if (this.#loadRequest) this.#worker.postMessage(this.#loadRequest);
  }

  /**
   * The worker's GPU was lost (or failed in a run): the model is loaded again on WASM, in a fresh worker when the
   * client supervises (the old one's WebGPU state is gone), and the current prompt runs again there. Said quietly on
   * the badge and in the speaker view; the slides keep the last values until WASM's arrive.
   */
  #fallBackToWasm(reason: string): void {
    const request = this.#loadRequest;
    if (!request || request.backend !== 'webgpu' || this.#state.phase === 'failed') return;
    console.warn(`live-llm: the WebGPU device was lost (${reason}); reloading the model on WASM`);
    this.#loadRequest = { ...request, backend: 'wasm', precision: request.precision ? { ...request.precision, shaderF16: false } : undefined };
    this.#latestRequestId++; // whatever the GPU still answers is stale
    this.#runSentAt = null;
    this.#fileProgress.clear();
    if (this.#spawn) {
      this.#worker.terminate?.();
      this.#worker = this.#attach(this.#spawn());
    }
    const notice = `The GPU was lost (${reason}): running on WASM (CPU) now`;
    const hasPrompt = !isEmptyPrompt(this.#state.prompt);
    this.#update({
      phase: 'loading',
      backend: 'wasm',
      backendNotice: notice,
      progress: null,
      running: hasPrompt,
      runError: null,
      engineEvent: `${clock()} ${notice}; the model reloads on WASM${hasPrompt ? ' and the prompt runs again' : ''}.`,
    });
    this.#worker.postMessage(this.#loadRequest);
  }

  #startHeartbeat(): void {
    if (!this.#spawn || this.#heartbeat !== null) return;
    this.#heartbeat = setInterval(() => this.#checkWorker(), this.#supervision.heartbeatMs);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  get state(): EngineState {
    return this.#state;
  }

  subscribe(listener: (state: EngineState) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#state);
    return () => this.#listeners.delete(listener);
  }

  load(settings: LoadSettings): void {
    if (this.#state.phase === 'failed') return; // the worker died for good before the model was asked for: the failure stays on screen
    this.#update({ phase: 'loading', modelName: settings.modelName, listedModels: settings.listedModels ?? null, backend: settings.choice.backend, backendNotice: settings.choice.notice });
    this.#loadRequest = {
      type: 'load',
      modelName: settings.modelName,
      modelRoot: settings.modelRoot,
      backend: settings.choice.backend,
      ortRuntime: settings.ortRuntime,
      precision: settings.choice.precision,
      listedChatTemplate: settings.listedChatTemplate,
    };
    this.#worker.postMessage(this.#loadRequest);
    this.#startHeartbeat();
  }

  /** A new prompt: runs after a short pause in typing, or at once with `immediate`. */
  setPrompt(typed: string, options: { immediate?: boolean } = {}): void {
    const prompt = normalizePrompt(typed); // one rule for line endings, whichever field or URL it came from
    const alreadyHandled = this.#debounceTimer === null && (this.#state.running || this.#state.trace?.prompt === prompt);
    if (prompt === this.#state.prompt && alreadyHandled) return; // sent, or on screen
    if (this.#debounceTimer !== null) clearTimeout(this.#debounceTimer);
    this.#debounceTimer = null;
    if (isEmptyPrompt(prompt)) {
      this.#latestRequestId++; // whatever is in flight is now stale
      this.#runSentAt = null;
      this.#update({ prompt, trace: null, generation: null, running: false, runError: null });
      return;
    }
    this.#update({ prompt, running: this.#state.phase !== 'failed', runError: null }); // nothing runs without a model
    if (options.immediate || this.#debounceMs === 0) this.#sendRun();
    else this.#debounceTimer = setTimeout(() => this.#sendRun(), this.#debounceMs);
  }

  /** New conversation or answer settings: the current prompt runs again at once with them. */
  setRunOptions(change: Partial<RunOptions>): void {
    const next = { ...this.#state.runOptions, ...change };
    if (JSON.stringify(next) === JSON.stringify(this.#state.runOptions)) return;
    this.#update({ runOptions: next });
    this.#runNow();
  }

  /** A follow-up turn: `history` is the conversation so far (the last answer included), `message` the new user message. */
  reply(message: string, history: ChatMessage[]): void {
    this.#update({ prompt: normalizePrompt(message), runOptions: { ...this.#state.runOptions, history } });
    this.#runNow();
  }

  /** Runs the current prompt at once (cancelling a pending debounce), unless it is empty. */
  #runNow(): void {
    if (this.#debounceTimer !== null) clearTimeout(this.#debounceTimer);
    this.#debounceTimer = null;
    if (isEmptyPrompt(this.#state.prompt)) return;
    this.#update({ running: this.#state.phase !== 'failed', runError: null });
    this.#sendRun();
  }

  /**
   * Whether the slide on screen shows the logit lens: later runs compute it with the Trace (no run of its own), and an
   * answer under way that the lens was left to computes it before its next step.
   */
  setLensWithTrace(onScreen: boolean): void {
    if (onScreen === this.#lensWithTrace) return;
    this.#lensWithTrace = onScreen;
    this.#worker.postMessage({ type: 'lens-on-screen', onScreen });
  }

  #sendRun(): void {
    this.#debounceTimer = null;
    if (this.#state.phase !== 'ready') return; // sent when the model is ready
    const requestId = ++this.#latestRequestId;
    const { system, history, chat, maxNewTokens, sampling, knockOut } = this.#state.runOptions;
    const request: RunRequest = { type: 'run', requestId, prompt: this.#state.prompt, system, history, chat, sampling, knockOut };
    if (maxNewTokens !== null) request.maxNewTokens = maxNewTokens;
    if (this.#lensWithTrace) request.lensWithTrace = true;
    this.#runSentAt = Date.now();
    this.#worker.postMessage(request);
  }

  #onMessage(message: EngineMessage): void {
    switch (message.type) {
      case 'loading':
        this.#update({ phase: 'loading', progress: null });
        break;
      case 'progress': {
        this.#fileProgress.set(message.file, { loaded: message.loaded, total: message.total });
        let loaded = 0;
        let total = 0;
        for (const file of this.#fileProgress.values()) {
          loaded += Math.min(file.loaded, file.total);
          total += file.total;
        }
        this.#update({ progress: { file: message.file, fraction: total > 0 ? loaded / total : null } });
        break;
      }
      case 'ready':
        this.#update({ phase: 'ready', model: message.model, progress: null, loadMs: message.loadMs, warmUpMs: message.warmUpMs });
        if (!isEmptyPrompt(this.#state.prompt)) this.#sendRun();
        break;
      case 'trace':
        if (message.requestId !== this.#latestRequestId) return; // stale: a newer prompt was sent
        this.#runSentAt = null;
        this.#failuresInARow = 0; // the engine works again
        this.#update({ trace: message.trace, generation: null, running: false, runError: null });
        break;
      case 'generation':
        if (message.requestId !== this.#latestRequestId) return; // a newer prompt's Trace is coming
        this.#update({ generation: message.generation });
        break;
      case 'device-lost':
        this.#fallBackToWasm(message.reason);
        break;
      case 'error':
        if (message.requestId === null) {
          this.#stopHeartbeat(); // a model that cannot load is not a dead worker
          this.#update({ phase: 'failed', progress: null, running: false, runError: null, loadError: { message: message.message, file: message.file } });
        } else if (message.requestId === this.#latestRequestId) {
          this.#runSentAt = null;
          this.#update({ trace: null, running: false, runError: message.message });
        }
        break;
    }
  }

  #update(change: Partial<EngineState>): void {
    this.#state = { ...this.#state, ...change };
    for (const listener of this.#listeners) listener(this.#state);
  }
}

/** The time of day an engine event happened ("14:03:07"), for the presenter reading it later. */
function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}
