// The KV cache between turns: every layer's keys and values for the ids a turn has read, kept after
// its answer so that a follow-up, whose input begins with the same tokens, computes only the rest.
// Tensors are [batch, kvHeads, sequence, headDim]; a prefix of the sequence axis is a prefix of the text.
import { Tensor } from '@huggingface/transformers';

/** The graph's past_key_values.* inputs for `ids`, on the CPU. */
export interface KvCache {
  ids: number[];
  past: Record<string, Tensor>;
}

/** The number of leading ids two sequences share. */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * The first `length` positions of a [batch, heads, sequence, headDim] tensor's data, as a new array of
 * the same kind: each (batch, head) row keeps its first length × headDim values.
 */
export function sliceSequenceData<T extends Float32Array | Uint16Array>(data: T, dims: readonly number[], length: number): T {
  const [batch, heads, sequence, headDim] = dims;
  if (dims.length !== 4) throw new Error(`expected a [batch, heads, sequence, headDim] tensor, got [${dims.join(', ')}]`);
  if (length < 0 || length > sequence) throw new Error(`cannot keep ${length} of ${sequence} positions`);
  const out = new (data.constructor as new (n: number) => T)(batch * heads * length * headDim);
  for (let row = 0; row < batch * heads; row++) {
    out.set(data.subarray(row * sequence * headDim, (row * sequence + length) * headDim), row * length * headDim);
  }
  return out;
}

/** Each tensor cut to its first `length` positions along the sequence axis. */
export function sliceCache(past: Record<string, Tensor>, length: number): Record<string, Tensor> {
  const sliced: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(past)) {
    const dims = tensor.dims;
    sliced[name] = new Tensor(tensor.type as 'float32', sliceSequenceData(tensor.data as Float32Array, dims, length), [dims[0], dims[1], length, dims[3]]);
  }
  return sliced;
}

/** present.N.key -> past_key_values.N.key: a step's cache is the next step's input. */
export function presentToPast(outputs: Record<string, Tensor>): Record<string, Tensor> {
  const past: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    if (name.startsWith('present.')) past[name.replace('present.', 'past_key_values.')] = tensor;
  }
  return past;
}

/** On WebGPU the cache stays in GPU buffers between steps; kept across turns, it is read back (and the buffers freed). */
export async function cacheOnCpu(past: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const onCpu: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(past)) {
    if (tensor.location !== 'gpu-buffer') {
      onCpu[name] = tensor;
      continue;
    }
    const data = (await tensor.ort_tensor.getData(true)) as Float32Array; // true: release the GPU buffer
    onCpu[name] = new Tensor(tensor.type as 'float32', data, tensor.dims);
  }
  return onCpu;
}

/** GPU buffers are not garbage-collected: free a step's outputs once nothing reads them. */
export function disposeGpuTensors(tensors: Iterable<Tensor>, keep: ReadonlySet<Tensor> = new Set()): void {
  for (const tensor of tensors) if (tensor.location === 'gpu-buffer' && !keep.has(tensor)) tensor.dispose();
}
