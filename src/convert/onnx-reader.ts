// Reads the weights (initializers) back out of an .onnx file, so the deck can show what the
// model learned (embedding table, position table, a weight excerpt) without a second file.
import { DataType, decodeModel } from './onnx-proto';

export interface Weight {
  shape: number[];
  data: Float32Array;
}

/** Float32 initializers by name; `wanted` limits which are copied out (the file may be large). */
export function readInitializers(onnxBytes: Uint8Array, wanted: (name: string) => boolean = () => true): Map<string, Weight> {
  const weights = new Map<string, Weight>();
  for (const tensor of decodeModel(onnxBytes).graph.initializer) {
    if (tensor.data_type !== DataType.FLOAT || !wanted(tensor.name)) continue;
    const raw = tensor.raw_data;
    // Copy: raw_data is a view into the file at an offset that need not be 4-byte aligned.
    const data = new Float32Array(raw.byteLength / 4);
    new Uint8Array(data.buffer).set(raw);
    weights.set(tensor.name, { shape: tensor.dims.map(Number), data });
  }
  return weights;
}
