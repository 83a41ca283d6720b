// A small ONNX graph builder: add inputs, initializers, nodes and outputs by name, then serialise.
// Values are plain strings (ONNX tensor names); node outputs get unique names derived from a hint.
import { halfPrecisionMatMuls } from './fp16-graph';
import { float32ToFloat16 } from './fp16';
import { switchTraceNodes, type OutputSwitch } from './trace-branch-graph';
import {
  AttributeType,
  DataLocation,
  DataType,
  encodeModelFramed,
  type FramedInitializer,
  type AttributeProto,
  type DimensionProto,
  type NodeProto,
  type ValueInfoProto,
} from './onnx-proto';

/** Opset 17: the first with LayerNormalization; ORT 1.30 runs it on CPU, WASM and WebGPU. */
export const OPSET_VERSION = 17;
/** IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
export const IR_VERSION = 8;

/** A protobuf message, and so an .onnx file without external data, cannot exceed 2 GiB. */
export const MAX_ONNX_BYTES = 2 ** 31 - 1;
/** Weights past this many bytes in all go to an external data file: 2 GiB less room for the graph itself. */
export const DEFAULT_EXTERNAL_DATA_THRESHOLD = 2 ** 31 - 2 ** 26;
/** Tensors smaller than this stay inside the .onnx even with external data (onnx's own size_threshold). */
export const EXTERNAL_TENSOR_MIN_BYTES = 1024;
/** Tensors past 1 MiB start at a multiple of 64 KiB in the data file, so ORT can map them (Windows's granularity; 4 KiB pages elsewhere). */
const LARGE_TENSOR_BYTES = 2 ** 20;
const LARGE_TENSOR_ALIGNMENT = 2 ** 16;
/** Smaller ones at a multiple of 16, so a typed array can view any of them in place. */
const SMALL_TENSOR_ALIGNMENT = 16;

/** Where weights go when they do not fit in the .onnx: appended, tensor by tensor, to a data file beside it. */
export interface ExternalDataWriter {
  /** The data file's name, relative to the .onnx (transformers.js loads `<model file>_data`, e.g. model.onnx_data). */
  location: string;
  /** Appends bytes to the data file; the writer keeps the offsets. */
  append(bytes: Uint8Array): void;
  /** Weights past this many bytes in all go to the data file (default DEFAULT_EXTERNAL_DATA_THRESHOLD; tests lower it). */
  threshold?: number;
}

export interface OnnxWriteOptions {
  /** 'fp16': matrices that only feed MatMul or Gather are stored as float16 and multiplied in float16 (see fp16-graph.ts). */
  dtype?: 'fp32' | 'fp16';
  /** Without it, a model whose weights pass 2 GiB cannot be written. */
  externalData?: ExternalDataWriter;
}

export type ElementType = 'float32' | 'int64' | 'bool';
/** A dimension: a fixed size or a symbolic name such as `batch_size`. */
export type Dim = number | string;

const elementTypeCode: Record<ElementType, number> = {
  float32: DataType.FLOAT,
  int64: DataType.INT64,
  bool: DataType.BOOL,
};

/** A typed attribute value; ONNX needs to know a float 1 from an int 1. */
export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string };

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: number[]): Attribute => ({ kind: 'floats', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
};

function attributeProto(name: string, attribute: Attribute): AttributeProto {
  switch (attribute.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: attribute.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: attribute.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: attribute.value };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: attribute.value };
    case 'string':
      return { name, type: AttributeType.STRING, s: new TextEncoder().encode(attribute.value) };
  }
}

function valueInfo(name: string, type: ElementType, shape: Dim[]): ValueInfoProto {
  const dim: DimensionProto[] = shape.map((size) =>
    typeof size === 'number' ? { dim_value: size } : { dim_param: size },
  );
  return { name, type: { tensor_type: { elem_type: elementTypeCode[type], shape: { dim } } } };
}

// Little-endian bytes of a typed array, as raw_data wants them (typed arrays are little-endian on every host we run on).
function rawBytes(data: Float32Array | Uint16Array | BigInt64Array | Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export interface NodeOptions {
  /** Attributes by name. */
  attributes?: Record<string, Attribute>;
  /** Names for the outputs; defaults to one name derived from the node name. */
  outputs?: string[];
}

/** An initializer before it is written: small constants hold their bytes, weights are read only when written. */
export interface PendingInitializer {
  name: string;
  dims: number[];
  /** The type it is written as (FLOAT16 once the fp16 pass has chosen it). */
  dataType: number;
  bytes?: Uint8Array;
  read?: () => Float32Array;
}

function elementCount(dims: number[]): number {
  return dims.reduce((count, size) => count * size, 1);
}

const bytesPerElementOf: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.FLOAT16]: 2, [DataType.INT64]: 8, [DataType.BOOL]: 1 };

/** The initializer's bytes as written: read now, and narrowed to float16 when that is its type. */
function initializerBytes(initializer: PendingInitializer): Uint8Array {
  if (initializer.bytes) return initializer.bytes;
  const values = initializer.read!();
  const expected = elementCount(initializer.dims);
  if (values.length !== expected) {
    throw new Error(`weight ${initializer.name} has ${values.length} values but shape [${initializer.dims.join(',')}]`);
  }
  return rawBytes(initializer.dataType === DataType.FLOAT16 ? float32ToFloat16(values) : values);
}

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: PendingInitializer[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();
  private readonly constantsByValue = new Map<string, string>();
  /** The bool inputs that switch trace outputs on (see trace-branch-graph.ts); none: always computed. */
  private readonly outputSwitches: OutputSwitch[] = [];

  constructor(private readonly name: string) {}

  /** A name not used yet: `hint`, or `hint_2`, `hint_3`, ... */
  uniqueName(hint: string): string {
    let name = hint;
    for (let i = 2; this.usedNames.has(name); i++) name = `${hint}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.usedNames.has(name)) throw new Error(`ONNX graph already has a value named ${name}`);
    this.usedNames.add(name);
    return name;
  }

  /** Declares a graph input and returns its name. */
  input(name: string, type: ElementType, shape: Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), type, shape));
    return name;
  }

  /** Declares an existing value as a graph output. */
  output(name: string, type: ElementType, shape: Dim[]): void {
    this.outputs.push(valueInfo(name, type, shape));
  }

  /**
   * Adds a float32 weight under an exact name (e.g. a Hugging Face parameter name). Pass a function to
   * have the values read only when the file is written, one weight at a time.
   */
  weight(name: string, data: Float32Array | (() => Float32Array), shape: number[]): string {
    const read = typeof data === 'function' ? data : () => data;
    this.initializers.push({ name: this.claim(name), dims: shape, dataType: DataType.FLOAT, read });
    return name;
  }

  /** Adds a small constant tensor under a name derived from `hint`; equal constants are shared. */
  constant(hint: string, type: ElementType, values: number[], shape: number[] = [values.length]): string {
    const key = `${type}[${shape.join(',')}]${values.join(',')}`;
    const existing = this.constantsByValue.get(key);
    if (existing) return existing;
    const name = this.uniqueName(hint);
    this.constantsByValue.set(key, name);
    const data =
      type === 'float32'
        ? new Float32Array(values)
        : type === 'int64'
          ? BigInt64Array.from(values, (value) => BigInt(value))
          : Uint8Array.from(values, (value) => (value ? 1 : 0));
    this.initializers.push({ name, dims: shape, dataType: elementTypeCode[type], bytes: rawBytes(data) });
    return name;
  }

  /** A scalar (rank-0) constant. */
  scalar(hint: string, type: ElementType, value: number): string {
    return this.constant(hint, type, [value], []);
  }

  /** Adds a node and returns its first output's name. */
  node(opType: string, name: string, inputs: string[], options: NodeOptions = {}): string {
    return this.nodeWithOutputs(opType, name, inputs, options)[0];
  }

  /** Adds a node and returns all its output names. */
  nodeWithOutputs(opType: string, name: string, inputs: string[], options: NodeOptions = {}): string[] {
    const nodeName = this.uniqueName(name);
    const outputs = (options.outputs ?? [nodeName]).map((output) =>
      output === nodeName ? output : this.claim(output),
    );
    const attribute = Object.entries(options.attributes ?? {}).map(([key, value]) => attributeProto(key, value));
    this.nodes.push({ name: nodeName, op_type: opType, input: inputs, output: outputs, attribute });
    return outputs;
  }

  /** When written, the nodes only the switch's outputs need run only when its input is true (see trace-branch-graph.ts). */
  switchOutputs(outputSwitch: OutputSwitch): void {
    this.outputSwitches.push(outputSwitch);
  }

  /**
   * Serialises the graph as an .onnx file. Weights are read one at a time as they are written; with
   * `externalData`, weights past its threshold go to the data file and the .onnx keeps only the graph.
   */
  toBytes(metadata: Record<string, string> = {}, options: OnnxWriteOptions = {}): Uint8Array {
    const { nodes: allNodes, initializers } =
      options.dtype === 'fp16'
        ? halfPrecisionMatMuls({ nodes: this.nodes, initializers: this.initializers }, (hint) => this.uniqueName(hint))
        : { nodes: this.nodes, initializers: this.initializers };
    const nodes = this.outputSwitches.length > 0 ? switchTraceNodes({ nodes: allNodes, outputs: this.outputs }, this.outputSwitches, (hint) => this.uniqueName(hint)) : allNodes;
    const weightBytes = initializers.reduce((sum, { dims, dataType }) => sum + elementCount(dims) * bytesPerElementOf[dataType], 0);
    const external = options.externalData;
    const threshold = external?.threshold ?? DEFAULT_EXTERNAL_DATA_THRESHOLD;
    if (!external && weightBytes > MAX_ONNX_BYTES - 2 ** 26) {
      throw new Error(
        `the weights take ${(weightBytes / 2 ** 30).toFixed(2)} GiB; one .onnx file holds at most 2 GiB, so they need an external data file`,
      );
    }
    const outside = external !== undefined && weightBytes > threshold ? new ExternalDataFile(external) : null;
    // External tensors are read, written to the data file and dropped in order; inline ones are read
    // only as the .onnx is assembled, each copied once into it (see encodeModelFramed).
    const framed: FramedInitializer[] = initializers.map((initializer) => {
      const tensor = { name: initializer.name, dims: initializer.dims, data_type: initializer.dataType };
      const rawLength = elementCount(initializer.dims) * bytesPerElementOf[initializer.dataType];
      if (!outside || rawLength < EXTERNAL_TENSOR_MIN_BYTES) return { tensor, rawLength, raw: () => initializerBytes(initializer) };
      const externalData = outside.add(initializerBytes(initializer));
      return { tensor: { ...tensor, data_location: DataLocation.EXTERNAL, external_data: externalData }, rawLength: 0, raw: null };
    });
    const weightsMetadata = options.dtype === 'fp16' ? { weights: 'fp16' } : {};
    return encodeModelFramed(
      {
        ir_version: IR_VERSION,
        opset_import: [{ domain: '', version: OPSET_VERSION }],
        producer_name: 'live-llm-deck converter',
        metadata_props: Object.entries({ ...metadata, ...weightsMetadata }).map(([key, value]) => ({ key, value })),
      },
      { name: this.name, node: nodes, input: this.inputs, output: this.outputs },
      framed,
    );
  }
}

/** The data file as it is written: each tensor appended at an aligned offset, as onnx and ORT align them. */
class ExternalDataFile {
  private offset = 0;

  constructor(private readonly writer: ExternalDataWriter) {}

  /** Appends one tensor's bytes and returns its external_data entries. */
  add(bytes: Uint8Array): { key: string; value: string }[] {
    const alignment = bytes.byteLength > LARGE_TENSOR_BYTES ? LARGE_TENSOR_ALIGNMENT : SMALL_TENSOR_ALIGNMENT;
    const padding = (alignment - (this.offset % alignment)) % alignment;
    if (padding > 0) this.writer.append(new Uint8Array(padding));
    const start = this.offset + padding;
    this.writer.append(bytes);
    this.offset = start + bytes.byteLength;
    return [
      { key: 'location', value: this.writer.location },
      { key: 'offset', value: String(start) },
      { key: 'length', value: String(bytes.byteLength) },
    ];
  }
}
