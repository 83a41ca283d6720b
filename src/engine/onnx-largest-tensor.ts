// The largest weight (initializer) of an .onnx file, from its header alone: protobuf's wire format walked
// by byte ranges, reading each initializer's dims and data type and skipping its data, so a file of
// gigabytes costs a few small requests per tensor. On WebGPU each weight becomes one GPU buffer, and
// the adapter's maxBufferSize / maxStorageBufferBindingSize bound it (model-fit.ts). Hand-written,
// as src/convert/onnx-initializers.ts is: that one needs the whole file in memory, this one reads by range.

/** `length` bytes (or fewer at the end of the file) at `offset`. */
export type RangeReader = (offset: number, length: number) => Promise<Uint8Array>;

export interface LargestTensor {
  name: string;
  bytes: number;
}

/** Bytes per element of TensorProto.DataType (onnx.proto); 4-bit types count half a byte. */
const ELEMENT_BYTES: Readonly<Record<number, number>> = {
  1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2,
  17: 1, 18: 1, 19: 1, 20: 1, 21: 0.5, 22: 0.5, 23: 0.5,
};

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
/** Read this much at a time: an initializer's header (dims, type, name) fits, its data is skipped. */
const CHUNK = 16 * 1024;

/** Bytes of the file by position, read a chunk at a time through `read` (the last chunk kept). */
class RangedBytes {
  #start = 0;
  #chunk: Uint8Array = new Uint8Array(0);
  constructor(
    readonly read: RangeReader,
    readonly size: number,
  ) {}

  async byteAt(position: number): Promise<number> {
    if (position >= this.size) throw new Error('the .onnx file ends inside a field: truncated or not an .onnx file');
    if (position < this.#start || position >= this.#start + this.#chunk.byteLength) {
      this.#start = position;
      this.#chunk = await this.read(position, Math.min(CHUNK, this.size - position));
      if (this.#chunk.byteLength === 0) throw new Error('the .onnx file could not be read by range');
    }
    return this.#chunk[position - this.#start]!;
  }

  /** An unsigned varint at `position`: its value and where the next field starts. */
  async varint(position: number): Promise<{ value: number; next: number }> {
    let value = 0;
    let scale = 1;
    for (let at = position; at < position + 10; at++) {
      const byte = await this.byteAt(at);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return { value, next: at + 1 };
      scale *= 128;
    }
    throw new Error('the .onnx file has a number longer than 10 bytes: not an .onnx file');
  }
}

/** Each field in [start, end): its number, wire type, and for a length-delimited one its contents' bounds; `next` is after it. */
async function* fields(bytes: RangedBytes, start: number, end: number): AsyncGenerator<{ field: number; wireType: number; value: number; contents: { start: number; end: number } | null }> {
  let at = start;
  while (at < end) {
    const key = await bytes.varint(at);
    const field = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    at = key.next;
    if (wireType === VARINT) {
      const value = await bytes.varint(at);
      at = value.next;
      yield { field, wireType, value: value.value, contents: null };
    } else if (wireType === LENGTH_DELIMITED) {
      const length = await bytes.varint(at);
      const contents = { start: length.next, end: length.next + length.value };
      if (contents.end > end) throw new Error('the .onnx file ends inside a field: truncated or not an .onnx file');
      at = contents.end;
      yield { field, wireType, value: length.value, contents };
    } else if (wireType === FIXED64 || wireType === FIXED32) {
      at += wireType === FIXED64 ? 8 : 4;
      yield { field, wireType, value: 0, contents: null };
    } else {
      throw new Error(`the .onnx file has protobuf wire type ${wireType}: not an .onnx file`);
    }
  }
}

/** ModelProto.graph (7) -> GraphProto.initializer (5) -> TensorProto.dims (1), data_type (2), name (8): the biggest by bytes. */
export async function largestInitializer(read: RangeReader, fileSize: number): Promise<LargestTensor | null> {
  const bytes = new RangedBytes(read, fileSize);
  let largest: LargestTensor | null = null;
  for await (const model of fields(bytes, 0, fileSize)) {
    if (model.field !== 7 || model.contents === null) continue;
    for await (const graph of fields(bytes, model.contents.start, model.contents.end)) {
      if (graph.field !== 5 || graph.contents === null) continue;
      const tensor = await tensorSize(bytes, graph.contents.start, graph.contents.end);
      if (largest === null || tensor.bytes > largest.bytes) largest = tensor;
    }
  }
  return largest;
}

async function tensorSize(bytes: RangedBytes, start: number, end: number): Promise<LargestTensor> {
  const dims: number[] = [];
  let dataType = 1;
  let name = '';
  for await (const entry of fields(bytes, start, end)) {
    if (entry.field === 1 && entry.wireType === VARINT) dims.push(entry.value);
    else if (entry.field === 1 && entry.contents) {
      for (let at = entry.contents.start; at < entry.contents.end; ) {
        const dim = await bytes.varint(at); // packed dims
        dims.push(dim.value);
        at = dim.next;
      }
    } else if (entry.field === 2 && entry.wireType === VARINT) dataType = entry.value;
    else if (entry.field === 8 && entry.contents) {
      const text: number[] = [];
      for (let at = entry.contents.start; at < entry.contents.end; at++) text.push(await bytes.byteAt(at));
      name = new TextDecoder().decode(new Uint8Array(text));
    }
  }
  const elements = dims.reduce((product, dim) => product * dim, 1);
  return { name, bytes: Math.ceil(elements * (ELEMENT_BYTES[dataType] ?? 4)) };
}
