// Public API of the converter: Hugging Face config.json + safetensors -> ONNX bytes.
// Runs in Node and in the browser (no Node-only imports anywhere under src/convert).
import { collectGpt2Weights, parseGpt2Config } from './gpt2-checkpoint';
import { buildGpt2Graph } from './gpt2';
import { collectLlamaWeights, parseLlamaConfig } from './llama-checkpoint';
import { buildLlamaGraph } from './llama';
import { readSafetensors } from './safetensors';

export interface ConvertInput {
  /** The parsed config.json. */
  config: Record<string, unknown>;
  /** The bytes of model.safetensors. */
  weights: Uint8Array;
  /** Expose the trace.* intermediates as extra outputs (default true). */
  traceOutputs?: boolean;
}

/** Converts a GPT-2 checkpoint to an fp32 ONNX model with a KV cache (and trace outputs unless disabled). */
export function convertGpt2({ config, weights, traceOutputs = true }: ConvertInput): Uint8Array {
  const gpt2Config = parseGpt2Config(config);
  const parameters = collectGpt2Weights(gpt2Config, readSafetensors(weights));
  return buildGpt2Graph(gpt2Config, parameters, { traceOutputs });
}

/** Converts a Llama-family checkpoint (LlamaForCausalLM) to an fp32 ONNX model with a KV cache (and trace outputs unless disabled). */
export function convertLlama({ config, weights, traceOutputs = true }: ConvertInput): Uint8Array {
  const llamaConfig = parseLlamaConfig(config);
  const parameters = collectLlamaWeights(llamaConfig, readSafetensors(weights));
  return buildLlamaGraph(llamaConfig, parameters, { traceOutputs });
}

// One converter per architecture, chosen by config.json's model_type.
const convertersByModelType = new Map<string, (input: ConvertInput) => Uint8Array>([
  ['gpt2', convertGpt2],
  ['llama', convertLlama],
]);

export const supportedModelTypes = [...convertersByModelType.keys()];

/** Converts any supported checkpoint, dispatching on config.model_type. */
export function convertModel(input: ConvertInput): Uint8Array {
  const modelType = input.config.model_type;
  const converter = typeof modelType === 'string' ? convertersByModelType.get(modelType) : undefined;
  if (!converter) {
    throw new Error(
      `unsupported model_type ${JSON.stringify(modelType)}: this converter handles ${supportedModelTypes.join(', ')}`,
    );
  }
  return converter(input);
}

export { readSafetensors, writeSafetensors } from './safetensors';
export type { FloatTensor, SafetensorsDtype, TensorToWrite } from './safetensors';
export type { Gpt2Config } from './gpt2-checkpoint';
export type { LlamaConfig } from './llama-checkpoint';
