// Decides from config.json alone, before any weights are downloaded, whether a checkpoint can become a
// model folder: a family the converter handles, and weights at the chosen precision that a browser can hold.
import { describeCheckpoint, type CheckpointDescription } from '../convert/index';
import { HubError } from './hub-errors';
import { formatBytes } from './progress';

export type WeightDtype = 'fp32' | 'fp16';

/**
 * ONNX Runtime Web runs in 32-bit WebAssembly, whose memory stops at 4 GiB, and the weights pass through it
 * (on WebGPU too) while the session is created: larger weights cannot load in a browser. `--max-gib` overrides.
 */
export const BROWSER_MAX_WEIGHTS_GIB = 4;

export interface CheckpointFit extends CheckpointDescription {
  /** Bytes of the converted weights at the chosen dtype. */
  convertedBytes: number;
}

/** "1.24 B", "362 M", "5.1 k". */
export function formatParameterCount(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(2)} B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(count >= 1e8 ? 0 : 1)} M`;
  if (count >= 1e3) return `${(count / 1e3).toFixed(1)} k`;
  return String(count);
}

/** One line: `llama, 1.24 B parameters: 4.60 GiB in float32, 2.30 GiB in float16`. */
export function describeSize(description: CheckpointDescription): string {
  return `${description.family}, ${formatParameterCount(description.parameterCount)} parameters: ${formatBytes(description.fp32Bytes)} in float32, ${formatBytes(description.fp16Bytes)} in float16`;
}

/** Throws a one-line HubError when the family is unsupported or the weights exceed `maxGib` at `dtype`. */
export function checkCheckpointFits(config: Record<string, unknown>, repo: string, dtype: WeightDtype, maxGib: number): CheckpointFit {
  let description: CheckpointDescription;
  try {
    description = describeCheckpoint(config);
  } catch (error) {
    throw new HubError(`${repo} cannot be converted: ${(error as Error).message.split('\n')[0]}`);
  }
  const convertedBytes = dtype === 'fp16' ? description.fp16Bytes : description.fp32Bytes;
  if (convertedBytes > maxGib * 2 ** 30) {
    const hint =
      dtype === 'fp32' && description.fp16Bytes <= maxGib * 2 ** 30
        ? 'try --dtype fp16, or --max-gib to convert anyway'
        : '--max-gib converts it anyway, for a browser or GPU that holds it';
    const limit = maxGib === BROWSER_MAX_WEIGHTS_GIB ? `the ${maxGib} GiB a browser's 32-bit WebAssembly memory holds` : `the ${maxGib} GiB given with --max-gib`;
    throw new HubError(`${repo} will not fit: ${describeSize(description)}, more than ${limit} (${dtype}); ${hint}`);
  }
  return { ...description, convertedBytes };
}
