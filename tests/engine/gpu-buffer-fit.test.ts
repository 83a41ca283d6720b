// A model whose largest weight is bigger than one GPU buffer on this adapter is refused before loading on
// WebGPU: the weight's size read from the real model's .onnx header (by byte ranges, data skipped) against
// stubbed adapter limits.
import { openSync, readSync, closeSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInitializerFields } from '../../src/convert/onnx-initializers';
import { largestGpuBuffer, weightWillNotFitGpu } from '../../src/engine/model-fit';
import { largestInitializer } from '../../src/engine/onnx-largest-tensor';
import { modelFolderOrThrow } from '../../src/browser';

const onnxFile = () => join(modelFolderOrThrow(), 'onnx', 'model.onnx');

/** Reads the file by ranges, as the worker does over HTTP, and counts what it read. */
function rangeReader(file: string) {
  const fd = openSync(file, 'r');
  const reads = { count: 0, bytes: 0 };
  return {
    reads,
    read: async (offset: number, length: number) => {
      const buffer = new Uint8Array(length);
      const got = readSync(fd, buffer, 0, length, offset);
      reads.count++;
      reads.bytes += got;
      return buffer.subarray(0, got);
    },
    close: () => closeSync(fd),
  };
}

describe('the largest weight of an .onnx, from its header', () => {
  it('equals the largest initializer the full reader finds, reading a small part of the file', async () => {
    const file = onnxFile();
    const size = statSync(file).size;
    const full = readInitializerFields(readFileSync(file));
    const bytesOf = (t: (typeof full)[number]) => t.dims.reduce((p, d) => p * d, 1) * (t.data_type === 10 ? 2 : 4);
    const expected = full.reduce((a, b) => (bytesOf(b) > bytesOf(a) ? b : a));
    const reader = rangeReader(file);
    try {
      const largest = await largestInitializer(reader.read, size);
      expect(largest).toEqual({ name: expected.name, bytes: bytesOf(expected) });
      // sotu-gpt: the token embedding, 8192 x 256 float32
      expect(largest).toEqual({ name: expect.stringContaining('wte'), bytes: 8192 * 256 * 4 });
      expect(reader.reads.bytes).toBeLessThan(size / 4); // the weights' data is skipped, not read
    } finally {
      reader.close();
    }
  });
});

describe('weightWillNotFitGpu', () => {
  it('refuses a weight over the smaller of the two limits, naming both numbers and what to do', async () => {
    const reader = rangeReader(onnxFile());
    const largest = (await largestInitializer(reader.read, statSync(onnxFile()).size))!;
    reader.close();
    const small = { maxBufferSize: 16_000_000, maxStorageBufferBindingSize: 8_000_000 };
    const refusal = weightWillNotFitGpu(largest.name, largest.bytes, small);
    expect(refusal).toBe(
      `the model's largest weight (${largest.name}) is 8.4 MB, more than this GPU adapter's largest buffer (maxStorageBufferBindingSize 8.0 MB; maxBufferSize 16.0 MB, maxStorageBufferBindingSize 8.0 MB): add ?backend=wasm to the URL to run it on the CPU, or choose a smaller model`,
    );
    expect(weightWillNotFitGpu(largest.name, largest.bytes, { maxBufferSize: 8_000_000, maxStorageBufferBindingSize: 16_000_000 })).toContain('(maxBufferSize 8.0 MB;');
    // WebGPU's default limits (256 MiB buffer, 128 MiB binding) hold it.
    expect(weightWillNotFitGpu(largest.name, largest.bytes, { maxBufferSize: 268_435_456, maxStorageBufferBindingSize: 134_217_728 })).toBeNull();
    expect(largestGpuBuffer({ maxBufferSize: 268_435_456, maxStorageBufferBindingSize: 134_217_728 })).toBe(134_217_728);
  });
});
