import { describe, expect, it } from 'vitest';
import { bmpBytes, bmpDataUrl } from '../../src/viz/bitmap';

describe('BMP pictures of a matrix', () => {
  it('writes a 24-bit top-down BMP: header, blue-green-red pixels, rows padded to 4 bytes', () => {
    const bytes = bmpBytes(3, 2, (x, y) => [x * 10, y * 100, 7]);
    const view = new DataView(bytes.buffer);
    expect(String.fromCharCode(bytes[0], bytes[1])).toBe('BM');
    expect(view.getUint32(2, true)).toBe(bytes.length);
    expect(view.getInt32(18, true)).toBe(3);
    expect(view.getInt32(22, true)).toBe(-2); // top row first
    expect(view.getUint16(28, true)).toBe(24);
    const stride = 12; // 3 pixels x 3 bytes = 9, padded to 12
    expect(bytes.length).toBe(54 + stride * 2);
    const pixel = (x: number, y: number) => Array.from(bytes.subarray(54 + y * stride + x * 3, 54 + y * stride + x * 3 + 3));
    expect(pixel(0, 0)).toEqual([7, 0, 0]);
    expect(pixel(2, 0)).toEqual([7, 0, 20]);
    expect(pixel(1, 1)).toEqual([7, 100, 10]);
  });

  it('makes a data: URL holding those bytes', () => {
    const url = bmpDataUrl(2, 2, () => [255, 128, 0]);
    expect(url.startsWith('data:image/bmp;base64,')).toBe(true);
    expect(Uint8Array.from(atob(url.slice(url.indexOf(',') + 1)), (c) => c.charCodeAt(0))).toEqual(bmpBytes(2, 2, () => [255, 128, 0]));
  });
});
