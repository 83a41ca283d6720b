// Loads a model folder through transformers.js. The one place (with run-trace.ts) that touches
// the library; Node's `trace` command and the browser's worker both come through here.
import { AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { allTraceOutputs, TRACE_PREFIX } from '../convert/output-names';
import type { Backend, ModelInfo } from '../trace';
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
}

export interface LoadOptions {
  /** Folder name under `modelRoot`. */
  name: string;
  /** Where model folders live: a file-system folder in Node, a URL path ("/models/") in the browser. */
  modelRoot: string;
  backend: Backend;
  onProgress?: (progress: { file: string; loaded: number; total: number }) => void;
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
  const model = await AutoModelForCausalLM.from_pretrained(options.name, {
    local_files_only: true,
    dtype: 'fp32', // always explicit: WASM would otherwise look for a q8 model_quantized.onnx
    device,
    progress_callback,
  });
  const info = modelInfoFromConfig(options.name, model.config as unknown as HfConfig);
  const pieces: string[] = [];
  for (const [piece, id] of tokenizer.get_vocab()) pieces[id] = piece;
  const outputNames: readonly string[] = (model.sessions as Record<string, { outputNames: readonly string[] }>).model.outputNames;
  const traceOutputs = outputNames.filter((n) => n.startsWith(TRACE_PREFIX));
  const missingOutputs = allTraceOutputs(info.nLayer).filter((n) => !traceOutputs.includes(n));
  return { info, backend: options.backend, tokenizer, model, pieces, traceOutputs, missingOutputs };
}
