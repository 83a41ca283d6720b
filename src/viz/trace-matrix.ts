// Reads a [tokens, width] tensor of the Trace (embeddings, positions, their sum) for a view,
// checking that it is there and has the shape the slide expects, without ever throwing.
import { tensorRow, type Trace, type TraceTensor } from '../trace';

export type MatrixLookup =
  | { ok: true; name: string; tensor: TraceTensor; rows: number; width: number; row: (index: number) => Float32Array }
  | { ok: false; name: string; problem: string };

/** The tensor `name` as rows, one per token (rows beyond the prompt's tokens are ignored). */
export function traceMatrix(trace: Trace, name: string): MatrixLookup {
  const tensor = trace.tensors[name];
  if (!tensor) return { ok: false, name, problem: `This model's graph does not expose ${name}.` };
  const [rows, width] = tensor.shape;
  if (tensor.shape.length !== 2 || !(rows > 0) || !(width > 0) || tensor.data.length < rows * width) {
    return { ok: false, name, problem: `${name} has shape [${tensor.shape.join(', ')}], not [tokens, width].` };
  }
  const usable = Math.min(rows, trace.tokens.length);
  return { ok: true, name, tensor, rows: usable, width, row: (index) => tensorRow(tensor, index) };
}

/** The largest |value| over every row: one colour domain for the whole matrix. */
export function matrixMaxAbs(lookup: Extract<MatrixLookup, { ok: true }>): number {
  let max = 0;
  const data = lookup.tensor.data;
  for (let i = 0; i < lookup.rows * lookup.width; i++) if (Number.isFinite(data[i])) max = Math.max(max, Math.abs(data[i]));
  return max;
}
