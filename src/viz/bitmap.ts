// A picture of a matrix as a BMP data: URL, one pixel per cell, for heatmaps too large to draw as one
// SVG rect per cell (256 x 256 tokens is 33,000 rects). Written by hand: an uncompressed 24-bit BMP
// is a 54-byte header and rows of bytes, which every browser decodes, prints, and saves in a PDF.

export type Rgb = readonly [number, number, number];

const HEADER_BYTES = 54;

/** A `width` x `height` image, top row first, with `pixel(x, y)`'s colour (0-255 channels) at each point. */
export function bmpBytes(width: number, height: number, pixel: (x: number, y: number) => Rgb): Uint8Array {
  const stride = Math.ceil((width * 3) / 4) * 4; // rows are padded to 4 bytes
  const bytes = new Uint8Array(HEADER_BYTES + stride * height);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x42; // "BM"
  bytes[1] = 0x4d;
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, HEADER_BYTES, true); // where the pixels start
  view.setUint32(14, 40, true); // BITMAPINFOHEADER
  view.setInt32(18, width, true);
  view.setInt32(22, -height, true); // negative: rows run top to bottom
  view.setUint16(26, 1, true); // one plane
  view.setUint16(28, 24, true); // bits per pixel
  view.setUint32(34, stride * height, true);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const offset = HEADER_BYTES + y * stride + x * 3;
      bytes[offset] = b; // BMP stores blue, green, red
      bytes[offset + 1] = g;
      bytes[offset + 2] = r;
    }
  }
  return bytes;
}

export function bmpDataUrl(width: number, height: number, pixel: (x: number, y: number) => Rgb): string {
  const bytes = bmpBytes(width, height, pixel);
  let binary = '';
  const chunk = 0x8000; // String.fromCharCode takes a bounded number of arguments
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return `data:image/bmp;base64,${btoa(binary)}`;
}
