import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../../src/convert/safetensors';

/** A safetensors file built by hand from a header object and raw data bytes. */
function handMade(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

const uint16s = (values: number[]) => new Uint8Array(Uint16Array.from(values).buffer);

describe('safetensors', () => {
  it('round-trips F32, F16 and BF16 tensors', () => {
    const values = new Float32Array([1, -2, 0.5, 0.25, 1024, -0.125]);
    const bytes = writeSafetensors({
      a: { shape: [2, 3], data: values },
      b: { dtype: 'F16', shape: [6], data: values },
      c: { dtype: 'BF16', shape: [3, 2], data: values },
      scalar: { shape: [], data: new Float32Array([3.5]) },
    });
    const tensors = readSafetensors(bytes);
    expect([...tensors.keys()]).toEqual(['a', 'b', 'c', 'scalar']);
    expect(tensors.get('a')).toEqual({ dtype: 'F32', shape: [2, 3], data: values });
    expect(tensors.get('b')).toEqual({ dtype: 'F16', shape: [6], data: values });
    expect(tensors.get('c')).toEqual({ dtype: 'BF16', shape: [3, 2], data: values });
    expect(tensors.get('scalar')?.data).toEqual(new Float32Array([3.5]));
  });

  it('decodes F16 bit patterns, including subnormals and infinities', () => {
    // 1, -2, 65504 (largest half), 2^-24 (smallest subnormal), +inf, -0
    const bytes = handMade({ h: { dtype: 'F16', shape: [6], data_offsets: [0, 12] } }, uint16s([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000]));
    expect(Array.from(readSafetensors(bytes).get('h')!.data)).toEqual([1, -2, 65504, 2 ** -24, Infinity, -0]);
  });

  it('decodes BF16 as the top half of a float32', () => {
    const bytes = handMade({ h: { dtype: 'BF16', shape: [3], data_offsets: [0, 6] } }, uint16s([0x3f80, 0xc040, 0x3e20]));
    expect(Array.from(readSafetensors(bytes).get('h')!.data)).toEqual([1, -3, 0.15625]);
  });

  it('rounds to the nearest F16 when writing', () => {
    const bytes = writeSafetensors({ x: { dtype: 'F16', shape: [3], data: new Float32Array([0.1, 1e-8, 1e6]) } });
    const [tenth, tiny, huge] = readSafetensors(bytes).get('x')!.data;
    expect(tenth).toBe(0.0999755859375); // nearest half to 0.1
    expect(tiny).toBe(0);
    expect(huge).toBe(Infinity);
  });

  it('reads F32 data at offsets that are not 4-byte aligned', () => {
    const data = new Uint8Array(10);
    new DataView(data.buffer).setFloat32(2, 1.5, true);
    new DataView(data.buffer).setFloat32(6, -7, true);
    const bytes = handMade({ x: { dtype: 'F32', shape: [2], data_offsets: [2, 10] }, __metadata__: { format: 'pt' } }, data);
    expect(Array.from(readSafetensors(bytes).get('x')!.data)).toEqual([1.5, -7]);
  });

  it('names the problem in a malformed file', () => {
    const good = writeSafetensors({ x: { shape: [4], data: new Float32Array(4) } });
    expect(() => readSafetensors(good.subarray(0, 5))).toThrow(/truncated: 5 bytes/);
    expect(() => readSafetensors(good.subarray(0, 20))).toThrow(/safetensors header is truncated: it declares \d+ bytes but only 12 follow/);
    expect(() => readSafetensors(good.subarray(0, good.length - 4))).toThrow(/tensor x is truncated/);
    expect(() => readSafetensors(handMade({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(
      /tensor x has dtype I64; only F32, F16 and BF16 are supported/,
    );
    expect(() => readSafetensors(handMade({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(
      /tensor x has data_offsets \[0,8\] but shape \[3\] of F32 needs 12 bytes/,
    );
    const notJson = handMade({}, new Uint8Array(0));
    notJson[8] = 0x7b + 1;
    expect(() => readSafetensors(notJson)).toThrow(/header is not valid JSON/);
  });
});
