// Indexing into a TraceTensor (row-major, batch dimension removed).
import type { TraceTensor } from './types';

/** Value at a multi-dimensional index of a tensor (row-major). */
export function tensorAt(tensor: TraceTensor, ...index: number[]): number {
  let offset = 0;
  for (let axis = 0; axis < tensor.shape.length; axis++) offset = offset * tensor.shape[axis] + (index[axis] ?? 0);
  return tensor.data[offset];
}

/** A contiguous slice along the leading axes: e.g. row(t, head, query) of [h, s, t] gives the keys' values. */
export function tensorRow(tensor: TraceTensor, ...leading: number[]): Float32Array {
  const inner = tensor.shape.slice(leading.length).reduce((a, b) => a * b, 1);
  let offset = 0;
  for (let axis = 0; axis < leading.length; axis++) offset = offset * tensor.shape[axis] + leading[axis];
  return tensor.data.subarray(offset * inner, (offset + 1) * inner);
}
