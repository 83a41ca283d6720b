// Public API of the converter: Hugging Face config.json + safetensors -> ONNX bytes.
// Runs in Node and in the browser (no Node-only imports anywhere under src/convert).
import { collectGpt2Weights, expectedGpt2Parameters, parseGpt2Config } from './gpt2-checkpoint';
import { buildGpt2Graph } from './gpt2';
import { collectLlamaWeights, expectedLlamaParameters, llamaFamilies, parseLlamaConfig } from './llama-checkpoint';
import { buildLlamaGraph } from './llama';
import type { OnnxWriteOptions } from './onnx-writer';
import { lazyTensors, safetensorsSource, type TensorSource } from './tensor-source';
import { unsupportedModelTypeMessage } from './unsupported-families';

export interface ConvertInput extends OnnxWriteOptions {
  /** The parsed config.json. */
  config: Record<string, unknown>;
  /** The bytes of model.safetensors, or a source that reads tensors one at a time (sharded, or files on disk). */
  weights: Uint8Array | TensorSource;
  /** Expose the trace.* intermediates as extra outputs (default true). */
  traceOutputs?: boolean;
  /** Add the knock-out inputs head_mask and mlp_mask (default false: transformers.js requires every graph input to be fed). */
  knockOut?: boolean;
}

/** Converts a GPT-2 checkpoint to an fp32 ONNX model with a KV cache (and trace outputs unless disabled). */
export function convertGpt2({ config, weights, traceOutputs = true, ...write }: ConvertInput): Uint8Array {
  const gpt2Config = parseGpt2Config(config);
  const parameters = collectGpt2Weights(gpt2Config, checkpointTensors(weights));
  return buildGpt2Graph(gpt2Config, parameters, { traceOutputs, ...write });
}

/**
 * Converts a checkpoint of the Llama graph's families (LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM)
 * to an fp32 ONNX model with a KV cache (and trace outputs unless disabled).
 */
export function convertLlama({ config, weights, traceOutputs = true, ...write }: ConvertInput): Uint8Array {
  const llamaConfig = parseLlamaConfig(config);
  const parameters = collectLlamaWeights(llamaConfig, checkpointTensors(weights));
  return buildLlamaGraph(llamaConfig, parameters, { traceOutputs, ...write });
}

/** One graph builder per architecture, chosen by config.json's model_type: its converter and its parameter list from the config alone. */
interface Architecture {
  convert: (input: ConvertInput) => Uint8Array;
  expectedParameters: (config: Record<string, unknown>) => { name: string; shape: number[] }[];
}

const gpt2Architecture: Architecture = {
  convert: convertGpt2,
  expectedParameters: (config) => expectedGpt2Parameters(parseGpt2Config(config)),
};
const llamaArchitecture: Architecture = {
  convert: convertLlama,
  expectedParameters: (config) => expectedLlamaParameters(parseLlamaConfig(config)),
};
const architecturesByModelType = new Map<string, Architecture>([
  ['gpt2', gpt2Architecture],
  ...llamaFamilies.map((family) => [family, llamaArchitecture] as const),
]);

export const supportedModelTypes = [...architecturesByModelType.keys()];

function architectureOf(config: Record<string, unknown>): Architecture {
  const modelType = config.model_type;
  const architecture = typeof modelType === 'string' ? architecturesByModelType.get(modelType) : undefined;
  if (!architecture) throw new Error(unsupportedModelTypeMessage(modelType, supportedModelTypes));
  return architecture;
}

/** The checkpoint's tensors, each read only when the writer writes it (never all at once). */
function checkpointTensors(weights: Uint8Array | TensorSource) {
  return lazyTensors(weights instanceof Uint8Array ? safetensorsSource(weights) : weights);
}

/** Converts any supported checkpoint, dispatching on config.model_type. */
export function convertModel(input: ConvertInput): Uint8Array {
  return architectureOf(input.config).convert(input);
}

/** What a checkpoint is and weighs, known from config.json before any weights are downloaded. */
export interface CheckpointDescription {
  /** config.json's model_type: gpt2, llama, qwen2 or mistral. */
  family: string;
  /** Parameters the converted model holds; a tied LM head counts once, as Hugging Face counts it. */
  parameterCount: number;
  /** Bytes of those parameters in float32 and in float16. */
  fp32Bytes: number;
  fp16Bytes: number;
}

/**
 * Validates config.json without the weights, with the converter's own checks and one-line messages (an unsupported
 * family, a Mistral sliding window shorter than the context...), and counts the parameters the converter expects.
 */
export function describeCheckpoint(config: Record<string, unknown>): CheckpointDescription {
  const expected = architectureOf(config).expectedParameters(config);
  const parameterCount = expected.reduce((sum, { shape }) => sum + shape.reduce((a, b) => a * b, 1), 0);
  return { family: config.model_type as string, parameterCount, fp32Bytes: 4 * parameterCount, fp16Bytes: 2 * parameterCount };
}

export { readSafetensors, writeSafetensors } from './safetensors';
export { parseWeightMap, safetensorsSource, shardedSource } from './tensor-source';
export type { TensorEntry, TensorSource } from './tensor-source';
export type { ExternalDataWriter, OnnxWriteOptions } from './onnx-writer';
export type { FloatTensor, SafetensorsDtype, TensorToWrite } from './safetensors';
export type { Gpt2Config } from './gpt2-checkpoint';
export type { LlamaConfig, LlamaFamily } from './llama-checkpoint';
