// IEEE 754 binary16 and bfloat16 <-> float32, by hand (Float16Array is not yet available everywhere).
// Whole arrays at a time, through lookup tables and integer bit tricks: a 1-billion-weight model
// passes through here once per conversion.

// Reinterprets float32s as their bits.
const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** One IEEE 754 binary16 -> number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero or subnormal
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
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

/** Float16 bits -> float32 values. */
export function float16ToFloat32(halves: Uint16Array): Float32Array {
  const table = halfTable();
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = table[halves[i]];
  return out;
}

/** bfloat16 bits -> float32 values: bfloat16 is the top half of a float32. */
export function bfloat16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) bits[i] = halves[i] << 16;
  return out;
}

/** One float32 bit pattern -> binary16 bits, rounding to nearest even (overflow -> Inf, NaN kept). */
function float32BitsToHalf(bits: number): number {
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
    return sign | ((full >> shift) + roundBit(full, shift));
  }
  return sign | ((halfExponent << 10) + (mantissa >> 13) + roundBit(mantissa, 13)); // a carry bumps the exponent, as it should
}

// Round-to-nearest-even increment when dropping the low `shift` bits of `value`.
function roundBit(value: number, shift: number): number {
  const half = 1 << (shift - 1);
  const dropped = value & ((1 << shift) - 1);
  if (dropped > half) return 1;
  if (dropped < half) return 0;
  return (value >> shift) & 1;
}

/** One number -> binary16 bits, rounding to nearest even. */
export function floatToHalf(value: number): number {
  scratchFloat[0] = value;
  return float32BitsToHalf(scratchBits[0]);
}

/** float32 values -> float16 bits, rounding to nearest even. */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  // Aligned copy when needed: a Uint32Array view needs a 4-byte-aligned offset.
  const source = values.byteOffset % 4 === 0 ? values : values.slice();
  const bits = new Uint32Array(source.buffer, source.byteOffset, source.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) out[i] = float32BitsToHalf(bits[i]);
  return out;
}

/** One number -> bfloat16 bits, rounding to nearest even. */
export function floatToBfloat16(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0];
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x40; // keep NaN a NaN
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}
