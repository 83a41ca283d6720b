// Loads a model folder through transformers.js. The one place (with run-trace.ts) that touches
// the library; Node's `trace` command and the browser's worker both come through here.
import { AutoConfig, AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { parseTraceExtrasFile, TRACE_EXTRAS_FILE, type TraceExtrasFile } from '../convert/trace-extras-file';
import { allTraceOutputs, TRACE_PREFIX } from '../trace/output-names';
import { unstackedNames } from '../trace/stacked-layer-outputs';
import { BpeEncoder } from '../tokenize/bpe-encoder';
import { readTokenizerJson } from '../tokenize/hf-format';
import type { Backend, ModelInfo } from '../trace';
import { chatTemplateOf, stopIdsOf } from './chat-config';
import { availablePrecisions, choosePrecision, type Precision, type PrecisionPreference } from './choose-backend';
import { modelInfoFromConfig, type HfConfig } from './model-info';

export interface LoadedModel {
  info: ModelInfo;
  backend: Backend;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  /** id -> piece as the vocabulary spells it. */
  pieces: string[];
  /** trace.* outputs the graph exposes, and those the deck knows of that it lacks. */
  traceOutputs: string[];
  missingOutputs: string[];
  /** The prompt-independent weight-derived values (trace-extras.json, written by the converter); null when the folder has none. The engine holds no weights. */
  extrasFile: TraceExtrasFile | null;
  /** Ids of the tokenizer's special (added) tokens: <|im_start|>, <|endoftext|> ... */
  specialIds: Set<number>;
  /** Replays the tokenizer's merges, for byte-level BPE tokenizers; null for others. */
  encoder: BpeEncoder | null;
  /** The chat template (tokenizer_config.json or chat_template.jinja); null for a base model. */
  chatTemplate: string | null;
  /** Ids that end the answer: generation_config.json's eos_token_id (one or several), else the tokenizer's eos. */
  stopIds: number[];
}

export interface LoadOptions {
  /** Folder name under `modelRoot`. */
  name: string;
  /** Where model folders live: a file-system folder in Node, a URL path ("/models/") in the browser. */
  modelRoot: string;
  backend: Backend;
  onProgress?: (progress: { file: string; loaded: number; total: number }) => void;
  /** ?dtype= and the adapter's shader-f16 (see choosePrecision); absent: fp32. */
  precision?: PrecisionPreference;
  /** A text file of the model folder (trace-extras.json, chat_template.jinja), or null when it is not there; absent: fetched from the folder URL. */
  readTextFile?: (file: string) => Promise<string | null>;
  /** Refuses a model that will not fit, before its weights are downloaded (the browser: their size against its limits). */
  checkFits?: (files: string[]) => Promise<void>;
}

/** transformers.js reads only local files: no request ever goes to a model hub. */
export function configureOffline(modelRoot: string): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelRoot;
}

export async function loadModel(options: LoadOptions): Promise<LoadedModel> {
  configureOffline(options.modelRoot);
  const progress_callback = (p: { status?: string; file?: string; loaded?: number; total?: number }) => {
    if (p.status === 'progress' && p.file) options.onProgress?.({ file: p.file, loaded: p.loaded ?? 0, total: p.total ?? 0 });
  };
  const tokenizer = await AutoTokenizer.from_pretrained(options.name, { local_files_only: true, progress_callback });
  const device = options.backend === 'webgpu' ? 'webgpu' : options.backend === 'wasm' ? 'wasm' : 'cpu';
  // config.json first: its onnx_dtypes says whether onnx/model_fp16.onnx exists (no probing request, so it works offline).
  const config = await AutoConfig.from_pretrained(options.name, { local_files_only: true, progress_callback });
  const precision = choosePrecision(options.backend, options.precision ?? { forced: null, shaderF16: false }, availablePrecisions(config as { onnx_dtypes?: unknown }));
  await options.checkFits?.(weightFiles(config, precision));
  const model = await AutoModelForCausalLM.from_pretrained(options.name, {
    local_files_only: true,
    config,
    dtype: precision, // always explicit: WASM would otherwise look for a q8 model_quantized.onnx
    device,
    progress_callback,
  });
  const info = modelInfoFromConfig(options.name, model.config as unknown as HfConfig, precision);
  const pieces: string[] = [];
  for (const [piece, id] of tokenizer.get_vocab()) pieces[id] = piece;
  const outputNames: readonly string[] = (model.sessions as Record<string, { outputNames: readonly string[] }>).model.outputNames;
  const traceOutputs = unstackedNames(outputNames.filter((n) => n.startsWith(TRACE_PREFIX)), info.nLayer); // per-layer names: run-trace splits the stacks
  const missingOutputs = allTraceOutputs(info.nLayer, { learnedPositions: info.architecture.positions === 'learned' }).filter((n) => !traceOutputs.includes(n));
  // A plain graph (no trace outputs) has no slides to feed: its folder has no trace-extras.json to ask for.
  const extrasFile = traceOutputs.length > 0 ? parseTraceExtrasFile(await readFolderFile(options, TRACE_EXTRAS_FILE)) : null;
  const jinja = tokenizer.chat_template ? null : await readFolderFile(options, 'chat_template.jinja');
  const chatTemplate = chatTemplateOf(tokenizer.chat_template, jinja);
  const stopIds = stopIdsOf(model.generation_config as { eos_token_id?: number | number[] } | null, model.config as { eos_token_id?: number | number[] }, tokenizer.eos_token_id);
  return { info, backend: options.backend, tokenizer, model, pieces, traceOutputs, missingOutputs, extrasFile, encoder: mergeReplayer(tokenizer), specialIds: specialTokenIds(tokenizer), chatTemplate, stopIds };
}

/** The files that hold the weights for `precision`: the .onnx, and its data file when config.json names one. */
function weightFiles(config: unknown, precision: Precision): string[] {
  const onnxFile = modelFileOf[precision];
  const external = (config as { 'transformers.js_config'?: { use_external_data_format?: unknown } })['transformers.js_config']?.use_external_data_format;
  const hasData = external === true || (typeof external === 'object' && external !== null && onnxFile.slice('onnx/'.length) in external);
  return hasData ? [onnxFile, `${onnxFile}_data`] : [onnxFile];
}

/** The .onnx transformers.js loads for each precision (its dtype suffixes). */
const modelFileOf: Record<Precision, string> = { fp32: 'onnx/model.onnx', fp16: 'onnx/model_fp16.onnx' };

/** A small text file of the model folder, or null: read by the loader's readTextFile, else fetched from the folder's URL (the browser). */
async function readFolderFile(options: LoadOptions, file: string): Promise<string | null> {
  return options.readTextFile ? options.readTextFile(file) : fetchFolderText(`${options.modelRoot}${options.name}/${file}`);
}

/** A small text file by URL, or null when it is missing or cannot be fetched. */
export async function fetchFolderText(url: string): Promise<string | null> {
  try {
    const response = await fetch(url);
    // A dev server may answer a missing file with its index page: that is not the file.
    if (!response.ok || (response.headers.get('content-type') ?? '').includes('text/html')) return null;
    return await response.text();
  } catch {
    return null;
  }
}

/** The ids tokenizer.json lists as added tokens marked special. */
function specialTokenIds(tokenizer: PreTrainedTokenizer): Set<number> {
  const json = tokenizer._tokenizerJSON as { added_tokens?: { id: number; special?: boolean }[] } | undefined;
  return new Set((json?.added_tokens ?? []).filter((t) => t.special).map((t) => t.id));
}

/** Our BPE encoder over the tokenizer's own merges, when it is a byte-level BPE (GPT-2 family). */
function mergeReplayer(tokenizer: PreTrainedTokenizer): BpeEncoder | null {
  const json = tokenizer._tokenizerJSON as { pre_tokenizer?: { type?: string } } | undefined;
  if (json?.pre_tokenizer?.type !== 'ByteLevel') return null;
  try {
    const { vocab, merges } = readTokenizerJson(json);
    return new BpeEncoder(vocab, merges);
  } catch {
    return null;
  }
}
