// The messages between the deck (main thread) and the engine worker, after the transformers.js
// examples' worker protocol: `load` and `run` go in; `loading`, `progress`, `ready`, `trace`, `error`
// (and `device-lost` on WebGPU) come out. Every run carries a request id so the client can drop results that are stale.
import type { ChatMessage, Generation, KnockOut, ModelInfo, Trace } from '../trace';
import type { PrecisionPreference } from './choose-backend';

/** The backends a browser can run the model on. */
export type BrowserBackend = 'webgpu' | 'wasm';

/** Absolute URLs of onnxruntime-web's runtime files, served by the deck itself (never a CDN). */
export interface OrtRuntimeUrls {
  mjs: string;
  wasm: string;
}

export interface LoadRequest {
  type: 'load';
  /** Model folder name, e.g. "sotu-gpt". */
  modelName: string;
  /** Absolute path on the deck's origin of the folder that holds model folders, ending in "/": "/deck/models/". */
  modelRoot: string;
  backend: BrowserBackend;
  ortRuntime: OrtRuntimeUrls;
  /** ?dtype= and the adapter's shader-f16: the worker adds what the folder has and picks fp32 or fp16. */
  precision?: PrecisionPreference;
  /**
   * models.json says the folder has a chat template: the worker then reads chat_template.jinja when
   * tokenizer_config.json holds none. Absent or false: not asked for (a missing file's 404 is an error in the console).
   */
  listedChatTemplate?: boolean;
}

/** Sampling settings for the answer, with the seed that makes a sampled answer reproducible. */
export interface AnswerSampling {
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

export interface RunRequest {
  type: 'run';
  requestId: number;
  /** The typed prompt: for a chat model, the user's newest message. */
  prompt: string;
  /** A system message for a chat model (absent or '': none; a base model ignores it). */
  system?: string;
  /** Earlier turns, oldest first: user messages and the assistant's answers (the answer's text, see answerText). */
  history?: ChatMessage[];
  /** false: the prompt as typed even when the model has a chat template (default true). */
  chat?: boolean;
  /** The answer's token limit (default 128 for a chat model, 24 for a base model). */
  maxNewTokens?: number;
  /** Sample the answer with these settings and seed; absent or null: greedy. */
  sampling?: AnswerSampling | null;
  /** Heads and MLPs switched off for the Trace and the answer; absent or null: the plain model. */
  knockOut?: KnockOut | null;
  /**
   * The slide on screen shows the logit lens: compute it in the traced pass, with the Trace. Absent or false: the
   * answer computes it, once it is done or as soon as the lens's slide comes on screen (LensOnScreenRequest), so the
   * traced pass and the answer are shorter and any other slide and the answer come sooner.
   */
  lensWithTrace?: boolean;
}

/** Whether a slide that shows the logit lens is on screen: handled at once, even mid-answer (see RunRequest.lensWithTrace). */
export interface LensOnScreenRequest {
  type: 'lens-on-screen';
  onScreen: boolean;
}

/** The client's heartbeat: a live worker answers at once with a PongMessage, whatever it is doing. */
export interface PingRequest {
  type: 'ping';
  id: number;
}

export type EngineRequest = LoadRequest | RunRequest | PingRequest | LensOnScreenRequest;

export interface LoadingMessage {
  type: 'loading';
  modelName: string;
  backend: BrowserBackend;
}

export interface ProgressMessage {
  type: 'progress';
  /** File inside the model folder, e.g. "onnx/model.onnx". */
  file: string;
  loaded: number;
  /** 0 when the server did not say. */
  total: number;
}

export interface ReadyMessage {
  type: 'ready';
  model: ModelInfo;
  backend: BrowserBackend;
  loadMs: number;
  /** The warm-up run after loading: the first pass compiles shaders and allocates buffers. */
  warmUpMs: number;
}

export interface TraceMessage {
  type: 'trace';
  requestId: number;
  trace: Trace;
}

export interface ErrorMessage {
  type: 'error';
  /** The run that failed, or null when loading failed. */
  requestId: number | null;
  /** 'prompt': the model cannot take this prompt (said to the presenter, not an engine fault). */
  kind: 'load' | 'run' | 'prompt';
  message: string;
  /** For load errors: the model file that could not be read, when known ("onnx/model.onnx"). */
  file: string | null;
}

/** The continuation of a run's prompt so far: sent after each generated token. */
export interface GenerationMessage {
  type: 'generation';
  requestId: number;
  generation: Generation;
}

/** The answer to a PingRequest: the worker's event loop is alive. */
export interface PongMessage {
  type: 'pong';
  id: number;
}

/**
 * The WebGPU device was lost (GPUDevice.lost: a driver reset, the GPU process restarted, the device destroyed) or
 * a run failed inside the GPU: this worker cannot run the model any more; the client reloads it on WASM.
 */
export interface DeviceLostMessage {
  type: 'device-lost';
  /** What the browser or onnxruntime said ("destroyed: Device was destroyed."). */
  reason: string;
}

export type EngineMessage = LoadingMessage | ProgressMessage | ReadyMessage | TraceMessage | GenerationMessage | ErrorMessage | PongMessage | DeviceLostMessage;

/** The typed-array buffers inside a Trace, handed over to the main thread instead of copied. */
export function traceTransferables(trace: Trace): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (array: Float32Array) => {
    if (array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  };
  add(trace.lastLogits);
  for (const tensor of Object.values(trace.tensors)) add(tensor.data);
  return [...buffers];
}
