// The Trace's JSON form, so it can be saved, printed and rendered again: typed arrays become plain arrays.
import type { Trace, TraceTensor } from './types';

interface JsonTensor {
  shape: number[];
  data: number[];
}

/** JSON form: typed arrays become plain arrays. */
export function traceToJson(trace: Trace): string {
  const tensors: Record<string, JsonTensor> = {};
  for (const [name, t] of Object.entries(trace.tensors)) tensors[name] = { shape: t.shape, data: Array.from(t.data) };
  return JSON.stringify({ ...trace, lastLogits: Array.from(trace.lastLogits), tensors });
}

export function traceFromJson(json: string): Trace {
  const raw = JSON.parse(json) as Omit<Trace, 'lastLogits' | 'tensors'> & { lastLogits: number[]; tensors: Record<string, JsonTensor> };
  if (raw.version !== 1) throw new Error(`unsupported trace version ${String(raw.version)}`);
  const tensors: Record<string, TraceTensor> = {};
  for (const [name, t] of Object.entries(raw.tensors)) tensors[name] = { shape: t.shape, data: Float32Array.from(t.data) };
  return { ...raw, lastLogits: Float32Array.from(raw.lastLogits), tensors };
}
