// The initializers of an .onnx file, read straight from protobuf's wire format: only the fields the deck
// needs (ModelProto.graph -> GraphProto.initializer -> TensorProto's dims, data_type, name, raw_data,
// external_data, data_location), everything else skipped. No protobufjs here: its decoders are generated
// with Function(), which a host's strict Content-Security-Policy (no 'unsafe-eval') refuses in the browser.
// Field numbers are onnx.proto's (see onnx-proto.ts, which the converter still uses to write files).

/** TensorProto.DataType values the deck reads (onnx.proto). */
export const TENSOR_FLOAT = 1;
export const TENSOR_FLOAT16 = 10;
/** TensorProto.DataLocation.EXTERNAL: the bytes are in another file, named by external_data. */
export const LOCATION_EXTERNAL = 1;

/** The fields of one initializer that the deck reads; raw_data is a view into the file's bytes (no copy). */
export interface InitializerFields {
  name: string;
  dims: number[];
  data_type: number;
  raw_data?: Uint8Array;
  external_data: { key: string; value: string }[];
  data_location: number;
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** A cursor over protobuf bytes. */
class WireReader {
  at: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.byteLength,
  ) {
    this.at = start;
  }

  /** An unsigned varint as a number (exact up to 2^53, which covers every size and dimension). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.at >= this.end) throw new Error('ONNX file ends inside a number: truncated or not an .onnx file');
      const byte = this.bytes[this.at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new Error('ONNX file has a number longer than 10 bytes: not an .onnx file');
  }

  /** The bounds of a length-delimited field's contents, after its key. */
  delimited(): { start: number; end: number } {
    const length = this.varint();
    const start = this.at;
    if (start + length > this.end) throw new Error('ONNX file ends inside a field: truncated or not an .onnx file');
    this.at = start + length;
    return { start, end: start + length };
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === FIXED64) this.at += 8;
    else if (wireType === LENGTH_DELIMITED) this.delimited();
    else if (wireType === FIXED32) this.at += 4;
    else throw new Error(`ONNX file has protobuf wire type ${wireType}, which .onnx files never use: not an .onnx file`);
    if (this.at > this.end) throw new Error('ONNX file ends inside a field: truncated or not an .onnx file');
  }

  /** Each field's number and wire type until the end, the reader positioned after the key. */
  *fields(): Generator<{ field: number; wireType: number }> {
    while (this.at < this.end) {
      const key = this.varint();
      yield { field: Math.floor(key / 8), wireType: key % 8 };
    }
  }
}

const utf8 = new TextDecoder();

/** Every initializer of the model's graph, in file order. */
export function readInitializerFields(onnxBytes: Uint8Array): InitializerFields[] {
  const model = new WireReader(onnxBytes);
  const initializers: InitializerFields[] = [];
  for (const { field, wireType } of model.fields()) {
    if (field !== 7 || wireType !== LENGTH_DELIMITED) {
      model.skip(wireType);
      continue;
    }
    const { start, end } = model.delimited(); // ModelProto.graph
    const graph = new WireReader(onnxBytes, start, end);
    for (const entry of graph.fields()) {
      if (entry.field !== 5 || entry.wireType !== LENGTH_DELIMITED) {
        graph.skip(entry.wireType);
        continue;
      }
      const tensor = graph.delimited(); // GraphProto.initializer
      initializers.push(readTensor(new WireReader(onnxBytes, tensor.start, tensor.end)));
    }
  }
  return initializers;
}

function readTensor(reader: WireReader): InitializerFields {
  const tensor: InitializerFields = { name: '', dims: [], data_type: 0, external_data: [], data_location: 0 };
  const text = () => {
    const { start, end } = reader.delimited();
    return utf8.decode(reader.bytes.subarray(start, end));
  };
  for (const { field, wireType } of reader.fields()) {
    if (field === 1 && wireType === VARINT) tensor.dims.push(reader.varint());
    else if (field === 1 && wireType === LENGTH_DELIMITED) {
      const { start, end } = reader.delimited(); // packed dims
      const packed = new WireReader(reader.bytes, start, end);
      while (packed.at < packed.end) tensor.dims.push(packed.varint());
    } else if (field === 2 && wireType === VARINT) tensor.data_type = reader.varint();
    else if (field === 8 && wireType === LENGTH_DELIMITED) tensor.name = text();
    else if (field === 9 && wireType === LENGTH_DELIMITED) {
      const { start, end } = reader.delimited();
      tensor.raw_data = reader.bytes.subarray(start, end);
    } else if (field === 13 && wireType === LENGTH_DELIMITED) {
      const { start, end } = reader.delimited(); // StringStringEntryProto
      const entry = new WireReader(reader.bytes, start, end);
      const pair = { key: '', value: '' };
      for (const part of entry.fields()) {
        if ((part.field === 1 || part.field === 2) && part.wireType === LENGTH_DELIMITED) {
          const bounds = entry.delimited();
          pair[part.field === 1 ? 'key' : 'value'] = utf8.decode(entry.bytes.subarray(bounds.start, bounds.end));
        } else entry.skip(part.wireType);
      }
      tensor.external_data.push(pair);
    } else if (field === 14 && wireType === VARINT) tensor.data_location = reader.varint();
    else reader.skip(wireType);
  }
  return tensor;
}
