// Reads and writes the safetensors format (https://github.com/huggingface/safetensors):
//   8 bytes: header length N (unsigned 64-bit little-endian)
//   N bytes: JSON header { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {...} }
//   rest:    the tensor bytes, offsets relative to the end of the header.
// Written by hand (no library reads safetensors in the browser); pure, no Node-only imports.
// The header parser is shared with the readers that take tensors one at a time (tensor-source.ts).
import { bfloat16ToFloat32, float16ToFloat32, floatToBfloat16, floatToHalf } from './fp16';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

export interface FloatTensor {
  /** The dtype stored in the file; `data` is always float32. */
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array;
}

export const bytesPerElement: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

function isSupportedDtype(dtype: unknown): dtype is SafetensorsDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

function elementCount(shape: number[]): number {
  return shape.reduce((count, size) => count * size, 1);
}

/** Where one tensor's bytes lie, as the header says: offsets relative to the end of the header. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** The parsed header of a safetensors file: its tensors in file order, and where their data starts. */
export interface SafetensorsHeader {
  /** Byte offset of the first tensor byte in the file (8 + the header's length). */
  dataStart: number;
  entries: Map<string, SafetensorsEntry>;
}

/** The header's length, from the file's first 8 bytes. */
export function safetensorsHeaderLength(first8: Uint8Array): number {
  if (first8.byteLength < 8) {
    throw new Error(`safetensors file is truncated: ${first8.byteLength} bytes, the header length alone takes 8`);
  }
  const length = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  // A header past 100 MB is a corrupt length, not a header (the reference reader refuses them too).
  if (length > 100_000_000n) throw new Error(`safetensors header length ${length} is not believable: the file is corrupt`);
  return Number(length);
}

/**
 * Parses and checks a header (the JSON bytes after the length): supported dtypes, shapes, and offsets
 * that match the shapes and lie within the `dataLength` bytes that follow.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, dataLength: number): Map<string, SafetensorsEntry> {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(headerBytes));
  } catch (error) {
    throw new Error(`safetensors header is not valid JSON: ${(error as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new Error('safetensors header is not a JSON object');
  }
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (!isSupportedDtype(dtype)) {
      throw new Error(`tensor ${name} has dtype ${String(dtype)}; only F32, F16 and BF16 are supported`);
    }
    if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && size >= 0)) {
      throw new Error(`tensor ${name} has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o))) {
      throw new Error(`tensor ${name} has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const expectedBytes = elementCount(shape) * bytesPerElement[dtype];
    if (begin < 0 || end < begin || end - begin !== expectedBytes) {
      throw new Error(
        `tensor ${name} has data_offsets [${begin},${end}] but shape [${shape.join(',')}] of ${dtype} needs ${expectedBytes} bytes`,
      );
    }
    if (end > dataLength) {
      throw new Error(`tensor ${name} is truncated: its data ends at byte ${end} but the file has ${dataLength} data bytes`);
    }
    entries.set(name, { dtype, shape: [...shape], begin, end });
  }
  return entries;
}

/** Parses the header of a whole safetensors file held in memory. */
export function readSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  const headerLength = safetensorsHeaderLength(bytes);
  const dataStart = 8 + headerLength;
  if (dataStart > bytes.byteLength) {
    throw new Error(
      `safetensors header is truncated: it declares ${headerLength} bytes but only ${bytes.byteLength - 8} follow`,
    );
  }
  return { dataStart, entries: parseSafetensorsHeader(bytes.subarray(8, dataStart), bytes.byteLength - dataStart) };
}

/** Parses a safetensors file into name -> float32 tensor. F16 and BF16 are widened to float32. */
export function readSafetensors(bytes: Uint8Array): Map<string, FloatTensor> {
  const { dataStart, entries } = readSafetensorsHeader(bytes);
  const tensors = new Map<string, FloatTensor>();
  for (const [name, { dtype, shape, begin, end }] of entries) {
    tensors.set(name, { dtype, shape, data: decodeToFloat32(bytes.subarray(dataStart + begin, dataStart + end), dtype) });
  }
  return tensors;
}

/** A tensor's bytes as stored (little-endian F32, F16 or BF16) -> float32 values. */
export function decodeToFloat32(raw: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  const count = raw.byteLength / bytesPerElement[dtype];
  if (dtype === 'F32') {
    // Offsets in the file need not be 4-byte aligned: copy the bytes into a fresh array
    // (a typed-array view reads little-endian, as every browser and Node host is).
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(raw);
    return out;
  }
  const halves = raw.byteOffset % 2 === 0 ? new Uint16Array(raw.buffer, raw.byteOffset, count) : new Uint16Array(raw.slice().buffer);
  return dtype === 'BF16' ? bfloat16ToFloat32(halves) : float16ToFloat32(halves);
}

export interface TensorToWrite {
  /** How to store it; defaults to F32. */
  dtype?: SafetensorsDtype;
  shape: number[];
  data: Float32Array;
}

/** Serialises tensors to safetensors bytes (tests use it to make checkpoints). */
export function writeSafetensors(
  tensors: Record<string, TensorToWrite> | Map<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;

  let offset = 0;
  for (const [name, tensor] of entries) {
    const dtype = tensor.dtype ?? 'F32';
    if (elementCount(tensor.shape) !== tensor.data.length) {
      throw new Error(`tensor ${name} has ${tensor.data.length} values but shape [${tensor.shape.join(',')}]`);
    }
    const size = tensor.data.length * bytesPerElement[dtype];
    header[name] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }

  // Pad the header with spaces to a multiple of 8, as the reference writer does, so data stays aligned.
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((8 - ((8 + new TextEncoder().encode(headerText).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(headerText);

  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);

  let position = 8 + headerBytes.length;
  for (const [, tensor] of entries) {
    const dtype = tensor.dtype ?? 'F32';
    for (const value of tensor.data) {
      if (dtype === 'F32') view.setFloat32(position, value, true);
      else if (dtype === 'F16') view.setUint16(position, floatToHalf(value), true);
      else view.setUint16(position, floatToBfloat16(value), true);
      position += bytesPerElement[dtype];
    }
  }
  return out;
}
