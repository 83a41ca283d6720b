// Reads and writes the safetensors format (https://github.com/huggingface/safetensors):
//   8 bytes: header length N (unsigned 64-bit little-endian)
//   N bytes: JSON header { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {...} }
//   rest:    the tensor bytes, offsets relative to the end of the header.
// Written by hand (no library reads safetensors in the browser); pure, no Node-only imports.

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

export interface FloatTensor {
  /** The dtype stored in the file; `data` is always float32. */
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array;
}

const bytesPerElement: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

function isSupportedDtype(dtype: unknown): dtype is SafetensorsDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

function elementCount(shape: number[]): number {
  return shape.reduce((count, size) => count * size, 1);
}

/** Parses a safetensors file into name -> float32 tensor. F16 and BF16 are widened to float32. */
export function readSafetensors(bytes: Uint8Array): Map<string, FloatTensor> {
  if (bytes.byteLength < 8) {
    throw new Error(`safetensors file is truncated: ${bytes.byteLength} bytes, the header length alone takes 8`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const dataStart = 8 + headerLength;
  if (dataStart > bytes.byteLength) {
    throw new Error(
      `safetensors header is truncated: it declares ${headerLength} bytes but only ${bytes.byteLength - 8} follow`,
    );
  }

  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    throw new Error(`safetensors header is not valid JSON: ${(error as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new Error('safetensors header is not a JSON object');
  }

  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, FloatTensor>();
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
    const raw = bytes.subarray(dataStart + begin, dataStart + end);
    tensors.set(name, { dtype, shape: [...shape], data: decodeToFloat32(raw, dtype) });
  }
  return tensors;
}

function decodeToFloat32(raw: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const count = raw.byteLength / bytesPerElement[dtype];
  const out = new Float32Array(count);
  if (dtype === 'F32') {
    // Offsets in the file need not be 4-byte aligned: copy through a view only when they are
    // (a typed-array view reads little-endian, as every browser and Node host is).
    if (raw.byteOffset % 4 === 0) out.set(new Float32Array(raw.buffer, raw.byteOffset, count));
    else for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  } else if (dtype === 'BF16') {
    // bfloat16 is the top half of a float32.
    const widened = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) widened[i] = view.getUint16(i * 2, true) << 16;
  } else {
    const table = halfTable();
    for (let i = 0; i < count; i++) out[i] = table[view.getUint16(i * 2, true)];
  }
  return out;
}

// All 65536 half values, decoded once: a lookup per element is much faster than decoding each.
let halfToFloatTable: Float32Array | undefined;
function halfTable(): Float32Array {
  if (!halfToFloatTable) {
    halfToFloatTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfToFloatTable[bits] = halfToFloat(bits);
  }
  return halfToFloatTable;
}

// IEEE 754 binary16 -> number, by hand (Float16Array is not yet available everywhere).
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero or subnormal
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// Reinterprets a float32 as its bits.
const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);
function float32Bits(value: number): number {
  scratchFloat[0] = value;
  return scratchBits[0];
}

// number -> IEEE 754 binary16, rounding to nearest even, by hand.
function floatToHalf(value: number): number {
  const bits = float32Bits(value);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf or NaN
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // overflow -> Inf
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the implicit 1 in and round.
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    const rounded = (full >> shift) + roundBit(full, shift);
    return sign | rounded;
  }
  const rounded = (halfExponent << 10) + (mantissa >> 13) + roundBit(mantissa, 13);
  return sign | rounded; // a carry out of the mantissa correctly bumps the exponent
}

// Round-to-nearest-even increment when dropping the low `shift` bits of `value`.
function roundBit(value: number, shift: number): number {
  const half = 1 << (shift - 1);
  const dropped = value & ((1 << shift) - 1);
  if (dropped > half) return 1;
  if (dropped < half) return 0;
  return (value >> shift) & 1;
}

// number -> bfloat16, rounding to nearest even.
function floatToBfloat16(value: number): number {
  const bits = float32Bits(value);
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x40; // keep NaN a NaN
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
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
