// Reads the weights (initializers) back out of an .onnx file, so the deck can show what the
// model learned (embedding table, position table, a weight excerpt) without a second file.
// Weights kept in an external data file (model.onnx_data) are read by their offsets, one range
// each, through a reader the caller supplies (a file read in Node, a Range request in the browser).
import { float16ToFloat32 } from './fp16';
// The hand-written wire reader, not protobufjs: the browser reads weights with it too, and protobufjs
// generates its decoders with Function(), which a strict Content-Security-Policy refuses.
import { LOCATION_EXTERNAL, readInitializerFields, TENSOR_FLOAT, TENSOR_FLOAT16, type InitializerFields } from './onnx-initializers';

type TensorProto = InitializerFields;

export interface Weight {
  shape: number[];
  data: Float32Array;
}

/** Reads `length` bytes at `offset` of the external data file `location` (relative to the .onnx). */
export type ExternalDataReader = (location: string, offset: number, length: number) => Promise<Uint8Array>;

/** Where a tensor's bytes are in its external data file. */
export interface ExternalDataRange {
  location: string;
  offset: number;
  length: number;
}

const isFloatWeight = (tensor: TensorProto) => tensor.data_type === TENSOR_FLOAT || tensor.data_type === TENSOR_FLOAT16;

/** The external_data entries of a tensor stored outside the .onnx, or null for one stored inside. */
export function externalDataRange(tensor: { name: string; data_location?: number; external_data?: { key: string; value: string }[] }): ExternalDataRange | null {
  if (tensor.data_location !== LOCATION_EXTERNAL) return null;
  const entries = new Map((tensor.external_data ?? []).map(({ key, value }) => [key, value]));
  const location = entries.get('location');
  const offset = Number(entries.get('offset') ?? 0);
  const length = Number(entries.get('length'));
  if (!location || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) {
    throw new Error(`initializer ${tensor.name} is external but its external_data is incomplete`);
  }
  return { location, offset, length };
}

/** float32 values of a FLOAT or FLOAT16 tensor's little-endian bytes (copied: the bytes need not be aligned). */
function toFloat32(raw: Uint8Array, dataType: number): Float32Array {
  if (dataType === TENSOR_FLOAT16) {
    const halves = new Uint16Array(raw.byteLength / 2);
    new Uint8Array(halves.buffer).set(raw);
    return float16ToFloat32(halves);
  }
  const data = new Float32Array(raw.byteLength / 4);
  new Uint8Array(data.buffer).set(raw);
  return data;
}

/** Float initializers (float16 ones widened to float32) by name; `wanted` limits which are copied out. All must be inside the file. */
export function readInitializers(onnxBytes: Uint8Array, wanted: (name: string) => boolean = () => true): Map<string, Weight> {
  const weights = new Map<string, Weight>();
  for (const tensor of readInitializerFields(onnxBytes)) {
    if (!isFloatWeight(tensor) || !wanted(tensor.name)) continue;
    if (externalDataRange(tensor)) throw new Error(`initializer ${tensor.name} is in an external data file: read it with readInitializersWithExternalData`);
    weights.set(tensor.name, { shape: tensor.dims.map(Number), data: toFloat32(tensor.raw_data ?? new Uint8Array(0), tensor.data_type) });
  }
  return weights;
}

/** As readInitializers, reading each wanted external initializer's own byte range (never the whole data file). */
export async function readInitializersWithExternalData(
  onnxBytes: Uint8Array,
  wanted: (name: string) => boolean,
  readExternal: ExternalDataReader,
): Promise<Map<string, Weight>> {
  const weights = new Map<string, Weight>();
  for (const tensor of readInitializerFields(onnxBytes)) {
    if (!isFloatWeight(tensor) || !wanted(tensor.name)) continue;
    const range = externalDataRange(tensor);
    const raw = range ? await readExternal(range.location, range.offset, range.length) : (tensor.raw_data ?? new Uint8Array(0));
    if (range && raw.byteLength !== range.length) {
      throw new Error(`initializer ${tensor.name}: ${range.location} gave ${raw.byteLength} bytes at offset ${range.offset}, expected ${range.length}`);
    }
    weights.set(tensor.name, { shape: tensor.dims.map(Number), data: toFloat32(raw, tensor.data_type) });
  }
  return weights;
}

/** As readInitializersWithExternalData, with a synchronous reader (a file read in Node, during a conversion). */
export function readInitializersWithExternalDataSync(
  onnxBytes: Uint8Array,
  wanted: (name: string) => boolean,
  readExternal: (location: string, offset: number, length: number) => Uint8Array,
): Map<string, Weight> {
  const weights = new Map<string, Weight>();
  for (const tensor of readInitializerFields(onnxBytes)) {
    if (!isFloatWeight(tensor) || !wanted(tensor.name)) continue;
    const range = externalDataRange(tensor);
    const raw = range ? readExternal(range.location, range.offset, range.length) : (tensor.raw_data ?? new Uint8Array(0));
    if (range && raw.byteLength !== range.length) {
      throw new Error(`initializer ${tensor.name}: ${range.location} gave ${raw.byteLength} bytes at offset ${range.offset}, expected ${range.length}`);
    }
    weights.set(tensor.name, { shape: tensor.dims.map(Number), data: toFloat32(raw, tensor.data_type) });
  }
  return weights;
}
