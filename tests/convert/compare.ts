// Compares ONNX Runtime outputs (float32) with the float64 reference.
import type * as ort from 'onnxruntime-node';
import type { OrtOutputs } from './onnx-session';
import { FLOAT32_MIN, type ReferenceOutputs, type Tensor64 } from './reference-gpt2';

export const TOLERANCE = 1e-4;

/** Max abs difference, or a description of why the tensors cannot be compared. */
export function compareTensor(
  name: string,
  actual: ort.Tensor,
  expected: Tensor64,
  ignore: (index: number) => boolean = () => false,
): string | null {
  const dims = actual.dims as number[];
  if (dims.join(',') !== expected.dims.join(',')) {
    return `${name}: shape [${dims.join(',')}], expected [${expected.dims.join(',')}]`;
  }
  const data = actual.data as Float32Array;
  let maxDiff = 0;
  for (let i = 0; i < data.length; i++) {
    if (ignore(i)) continue;
    if (expected.data[i] === FLOAT32_MIN) {
      // A masked score: only its being (about) the float32 minimum matters.
      if (!(data[i] <= -1e30)) return `${name}[${i}] = ${data[i]} where a masked score was expected`;
      continue;
    }
    maxDiff = Math.max(maxDiff, Math.abs(data[i] - expected.data[i]));
    if (Number.isNaN(data[i])) return `${name}[${i}] is NaN`;
  }
  return maxDiff <= TOLERANCE ? null : `${name}: max abs diff ${maxDiff.toExponential(2)}`;
}

/** Keeps positions [start, end) of one axis (e.g. the query axis when comparing a cached chunk). */
export function sliceAxis(tensor: Tensor64, axis: number, start: number, end: number): Tensor64 {
  const dims = [...tensor.dims];
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const size = dims[axis];
  const data = new Float64Array(outer * (end - start) * inner);
  for (let o = 0; o < outer; o++) {
    data.set(tensor.data.subarray((o * size + start) * inner, (o * size + end) * inner), o * (end - start) * inner);
  }
  dims[axis] = end - start;
  return { dims, data };
}

/** Which axis of a trace output runs over this call's new tokens (null: keys/values cover past + new). */
export function newTokenAxis(name: string): number | null {
  if (/\.attn\.(k|v)$/.test(name)) return null;
  if (/\.attn\.(q|q_unrotated|k_unrotated|scores|masked_scores|probs|context)$/.test(name)) return 2;
  return 1;
}

/**
 * For outputs indexed by key position (attn.k / attn.v on axis 2, attn.scores on axis 3): is entry `index` at a
 * padding key? Those hold the hidden state of a padding token, whose fully masked attention row is uniform over
 * however many keys the call had, so they legitimately differ between a chunked and a single pass.
 */
export function atPaddingKey(name: string, dims: number[], attentionMask: number[][]): (index: number) => boolean {
  const keyAxis = /\.attn\.(k|v)$/.test(name) ? 2 : /\.attn\.scores$/.test(name) ? 3 : null;
  if (keyAxis === null) return () => false;
  const after = dims.slice(keyAxis + 1).reduce((a, b) => a * b, 1);
  const perBatch = dims.slice(1).reduce((a, b) => a * b, 1);
  return (index) => {
    const batch = Math.floor(index / perBatch);
    const key = Math.floor(index / after) % dims[keyAxis];
    return attentionMask[batch][key] === 0;
  };
}

/** A left-padded batch of two 7-token prompts: the graph-vs-reference tests' input, for every architecture. */
export const REFERENCE_BATCH = {
  inputIds: [
    [3, 17, 42, 8, 25, 11, 49],
    [0, 0, 7, 31, 2, 19, 44], // left-padded: the first two are padding
  ],
  attentionMask: [
    [1, 1, 1, 1, 1, 1, 1],
    [0, 0, 1, 1, 1, 1, 1],
  ],
};

/**
 * Every mismatch between the graph's outputs and the reference (positions [start, end) of the new tokens),
 * for the logits and each of `traceNames`. With `skipPaddingKeys`, entries at padding key positions are
 * not compared (see atPaddingKey).
 */
export function mismatches(
  outputs: OrtOutputs,
  reference: ReferenceOutputs,
  traceNames: string[],
  start: number,
  end: number,
  skipPaddingKeys?: number[][],
): string[] {
  const problems: string[] = [];
  const check = (name: string, expected = reference.trace.get(name)!) => {
    const axis = name === 'logits' ? 1 : newTokenAxis(name);
    const sliced = axis === null ? expected : sliceAxis(expected, axis, start, end);
    const ignore = skipPaddingKeys ? atPaddingKey(name, sliced.dims, skipPaddingKeys) : undefined;
    const problem = outputs[name] ? compareTensor(name, outputs[name], sliced, ignore) : `${name}: missing output`;
    if (problem) problems.push(problem);
  };
  check('logits', reference.logits);
  for (const name of traceNames) check(name);
  return problems;
}
