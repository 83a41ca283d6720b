// The part of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) a converter writes,
// copied with the original field numbers, and compiled at runtime by protobufjs.
// Embedded rather than taken from `onnx-proto` so one protobufjs version serves Node and Vite alike.
import protobuf from 'protobufjs';

const onnxProtoSubset = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
  }
  optional string name = 1;
  optional string doc_string = 13;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6;
    INT64 = 7; STRING = 8; BOOL = 9; FLOAT16 = 10; DOUBLE = 11; UINT32 = 12; UINT64 = 13;
    COMPLEX64 = 14; COMPLEX128 = 15; BFLOAT16 = 16;
  }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional string doc_string = 12;
  optional bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13;
  enum DataLocation {
    DEFAULT = 0;
    EXTERNAL = 1;
  }
  optional DataLocation data_location = 14;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  optional string denotation = 6;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
`;

/** TensorProto.DataType values used by the converter. */
export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;

/** TensorProto.DataLocation: EXTERNAL means the bytes are in another file, named by external_data. */
export const DataLocation = { DEFAULT: 0, EXTERNAL: 1 } as const;

/** AttributeProto.AttributeType values. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7 } as const;

// Plain-object shapes of the messages above (snake_case, as in onnx.proto).
export interface TensorProto {
  name: string;
  dims: number[];
  data_type: number;
  /** The values, little-endian; absent when they are external. */
  raw_data?: Uint8Array;
  /** location (a file beside the .onnx), offset and length, when data_location is EXTERNAL. */
  external_data?: { key: string; value: string }[];
  data_location?: number;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  /** A tensor value (Constant's `value`). */
  t?: TensorProto;
  /** A subgraph (If's `then_branch` and `else_branch`). */
  g?: GraphProto;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

export type DimensionProto = { dim_value: number } | { dim_param: string };

export interface ValueInfoProto {
  name: string;
  /** The shape may be left out (a subgraph's outputs whose shape depends on the branch taken). */
  type: { tensor_type: { elem_type: number; shape?: { dim: DimensionProto[] } } };
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}

export interface ModelProto {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version?: string;
  doc_string?: string;
  graph: GraphProto;
  metadata_props?: { key: string; value: string }[];
}

let root: protobuf.Root | undefined;

function protoType(name: 'ModelProto' | 'GraphProto' | 'TensorProto'): protobuf.Type {
  root ??= protobuf.parse(onnxProtoSubset, { keepCase: true }).root;
  return root.lookupType(`onnx.${name}`);
}

function encode(name: 'ModelProto' | 'GraphProto' | 'TensorProto', message: object): Uint8Array {
  const type = protoType(name);
  return type.encode(type.fromObject(message)).finish();
}

/** Serialises a ModelProto to the bytes of an .onnx file. */
export function encodeModel(model: ModelProto): Uint8Array {
  return encode('ModelProto', model);
}

/** Parses the bytes of an .onnx file (the subset of fields above; the rest is skipped). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return protoType('ModelProto').decode(bytes) as unknown as ModelProto;
}

/** An initializer whose raw_data, if any, is written straight into the file rather than through protobufjs. */
export interface FramedInitializer {
  tensor: TensorProto;
  /** raw_data's length, and a function that gives the bytes when they are written (null: no raw_data). */
  rawLength: number;
  raw: (() => Uint8Array) | null;
}

// Wire format: a field's key is (number << 3) | wire type; 2 is length-delimited (messages and bytes).
const GRAPH_KEY = (7 << 3) | 2; // ModelProto.graph
const INITIALIZER_KEY = (5 << 3) | 2; // GraphProto.initializer
const RAW_DATA_KEY = (9 << 3) | 2; // TensorProto.raw_data

function varintLength(value: number): number {
  let length = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

/**
 * Serialises a model whose initializers are framed by hand: protobufjs encodes everything but the
 * weights' bytes, which are copied once, one initializer at a time, into a buffer of the exact size.
 * (Encoding a GB of raw_data through protobufjs took minutes and several times the memory.) Protobuf
 * fields may come in any order, so the graph's initializers follow its nodes, inputs and outputs.
 */
export function encodeModelFramed(model: Omit<ModelProto, 'graph'>, graph: Omit<GraphProto, 'initializer'>, initializers: FramedInitializer[]): Uint8Array {
  const head = encode('ModelProto', model);
  const graphCore = encode('GraphProto', { ...graph, initializer: [] });
  const entries = initializers.map(({ tensor, rawLength, raw }) => {
    const header = encode('TensorProto', { ...tensor, raw_data: undefined });
    const length = header.byteLength + (raw ? 1 + varintLength(rawLength) + rawLength : 0);
    return { name: tensor.name, header, length, rawLength, raw };
  });
  const graphLength = graphCore.byteLength + entries.reduce((sum, { length }) => sum + 1 + varintLength(length) + length, 0);
  const out = new Uint8Array(head.byteLength + 1 + varintLength(graphLength) + graphLength);
  out.set(head, 0);
  let at = head.byteLength;
  out[at++] = GRAPH_KEY;
  at = writeVarint(out, at, graphLength);
  out.set(graphCore, at);
  at += graphCore.byteLength;
  for (const { name, header, length, rawLength, raw } of entries) {
    out[at++] = INITIALIZER_KEY;
    at = writeVarint(out, at, length);
    out.set(header, at);
    at += header.byteLength;
    if (!raw) continue;
    out[at++] = RAW_DATA_KEY;
    at = writeVarint(out, at, rawLength);
    const bytes = raw();
    if (bytes.byteLength !== rawLength) throw new Error(`initializer ${name}: ${bytes.byteLength} bytes, expected ${rawLength}`);
    out.set(bytes, at);
    at += rawLength;
  }
  if (at !== out.byteLength) throw new Error(`ONNX framing wrote ${at} of ${out.byteLength} bytes`);
  return out;
}
