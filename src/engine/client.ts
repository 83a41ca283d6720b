// The main thread's side of the engine: sends prompts to the worker and keeps the deck's view of
// it (loading, progress, the latest Trace, errors) as one immutable state that listeners receive.
// Prompt changes are debounced while the presenter types, and a result for an older prompt is
// dropped, so an older Trace never replaces a newer one.
import type { ChatMessage, Generation, ModelInfo, Trace } from '../trace';
import type { BackendChoice } from './choose-backend';
import type { AnswerSampling, BrowserBackend, EngineMessage, EngineRequest, OrtRuntimeUrls, RunRequest } from './protocol';

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
}

export const DEFAULT_RUN_OPTIONS: RunOptions = { system: '', history: [], chat: true, maxNewTokens: null, sampling: null };

export type EnginePhase = 'starting' | 'loading' | 'ready' | 'failed';

export interface EngineState {
  phase: EnginePhase;
  modelName: string;
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
}

/** What the client needs from a Worker (a fake one in tests). */
export interface WorkerLike {
  postMessage(message: EngineRequest): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<EngineMessage>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
}

export interface LoadSettings {
  modelName: string;
  modelRoot: string;
  ortRuntime: OrtRuntimeUrls;
  choice: BackendChoice;
  /** models.json's chatTemplate for this folder (see LoadRequest.listedChatTemplate). */
  listedChatTemplate?: boolean;
}

export function isEmptyPrompt(prompt: string): boolean {
  return prompt.trim() === '';
}

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
  };
  readonly #listeners = new Set<(state: EngineState) => void>();
  readonly #worker: WorkerLike;
  readonly #debounceMs: number;
  #debounceTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bytes read and expected per model file: the files load in parallel, progress is their sum. */
  readonly #fileProgress = new Map<string, { loaded: number; total: number }>();
  /** Id of the newest run sent; answers to any other id are stale. */
  #latestRequestId = 0;

  constructor(worker: WorkerLike, options: { debounceMs?: number } = {}) {
    this.#worker = worker;
    this.#debounceMs = options.debounceMs ?? 150;
    worker.addEventListener('message', (event) => this.#onMessage(event.data));
    worker.addEventListener('error', (event) => {
      // The worker script itself failed (not found, or threw while starting).
      this.#update({ phase: 'failed', progress: null, loadError: { message: event.message || 'the engine worker failed to start', file: null } });
    });
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
    this.#update({ phase: 'loading', modelName: settings.modelName, backend: settings.choice.backend, backendNotice: settings.choice.notice });
    this.#worker.postMessage({
      type: 'load',
      modelName: settings.modelName,
      modelRoot: settings.modelRoot,
      backend: settings.choice.backend,
      ortRuntime: settings.ortRuntime,
      precision: settings.choice.precision,
      listedChatTemplate: settings.listedChatTemplate,
    });
  }

  /** A new prompt: runs after a short pause in typing, or at once with `immediate`. */
  setPrompt(prompt: string, options: { immediate?: boolean } = {}): void {
    const alreadyHandled = this.#debounceTimer === null && (this.#state.running || this.#state.trace?.prompt === prompt);
    if (prompt === this.#state.prompt && alreadyHandled) return; // sent, or on screen
    if (this.#debounceTimer !== null) clearTimeout(this.#debounceTimer);
    this.#debounceTimer = null;
    if (isEmptyPrompt(prompt)) {
      this.#latestRequestId++; // whatever is in flight is now stale
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
    this.#update({ prompt: message, runOptions: { ...this.#state.runOptions, history } });
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

  #sendRun(): void {
    this.#debounceTimer = null;
    if (this.#state.phase !== 'ready') return; // sent when the model is ready
    const requestId = ++this.#latestRequestId;
    const { system, history, chat, maxNewTokens, sampling } = this.#state.runOptions;
    const request: RunRequest = { type: 'run', requestId, prompt: this.#state.prompt, system, history, chat, sampling };
    if (maxNewTokens !== null) request.maxNewTokens = maxNewTokens;
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
        this.#update({ trace: message.trace, generation: null, running: false, runError: null });
        break;
      case 'generation':
        if (message.requestId !== this.#latestRequestId) return; // a newer prompt's Trace is coming
        this.#update({ generation: message.generation });
        break;
      case 'error':
        if (message.requestId === null) {
          this.#update({ phase: 'failed', progress: null, running: false, loadError: { message: message.message, file: message.file } });
        } else if (message.requestId === this.#latestRequestId) {
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
