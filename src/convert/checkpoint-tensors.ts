// What the GPT-2 and Llama checkpoint readers share: a checkpoint's tensors under canonical names
// (old buffers skipped, duplicates refused), and the expected parameters taken out of them with
// their shapes checked, so a bad checkpoint fails here with a message naming the tensor.
import type { FloatTensor } from './safetensors';

/** Parameters by their canonical Hugging Face name, in forward-pass order. */
export type CheckpointWeights = Map<string, { shape: number[]; data: Float32Array }>;

export interface FoundTensor {
  /** The name as the file spells it, for messages. */
  fileName: string;
  tensor: FloatTensor;
}

/** The checkpoint's tensors by canonical name, leaving out the buffers the graph rebuilds itself. */
export function indexTensors(
  tensors: Map<string, FloatTensor>,
  { isBuffer, canonicalName }: { isBuffer: (name: string) => boolean; canonicalName: (name: string) => string },
): Map<string, FoundTensor> {
  const found = new Map<string, FoundTensor>();
  for (const [fileName, tensor] of tensors) {
    if (isBuffer(fileName)) continue;
    const name = canonicalName(fileName);
    const duplicate = found.get(name);
    if (duplicate) throw new Error(`checkpoint has both ${duplicate.fileName} and ${fileName}`);
    found.set(name, { fileName, tensor });
  }
  return found;
}

const formatShape = (shape: number[]) => `[${shape.join(',')}]`;

/** The expected parameters, in their order, each present with exactly its expected shape. */
export function takeExpectedWeights(found: Map<string, FoundTensor>, expected: { name: string; shape: number[] }[]): CheckpointWeights {
  const weights: CheckpointWeights = new Map();
  for (const { name, shape } of expected) {
    const entry = found.get(name);
    if (!entry) throw new Error(`missing tensor ${name}`);
    if (formatShape(entry.tensor.shape) !== formatShape(shape)) {
      throw new Error(`tensor ${entry.fileName} has shape ${formatShape(entry.tensor.shape)}, expected ${formatShape(shape)}`);
    }
    const { tensor } = entry;
    // A getter, so a lazily read tensor (tensor-source.ts) is read only when the graph writer writes it.
    weights.set(name, { shape, get data() { return tensor.data; } });
  }
  return weights;
}
