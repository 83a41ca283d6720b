// A small ONNX graph builder: add inputs, initializers, nodes and outputs by name, then serialise.
// Values are plain strings (ONNX tensor names); node outputs get unique names derived from a hint.
import {
  AttributeType,
  DataType,
  encodeModel,
  type AttributeProto,
  type DimensionProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './onnx-proto';

/** Opset 17: the first with LayerNormalization; ORT 1.30 runs it on CPU, WASM and WebGPU. */
export const OPSET_VERSION = 17;
/** IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
export const IR_VERSION = 8;

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
function rawBytes(data: Float32Array | BigInt64Array | Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export interface NodeOptions {
  /** Attributes by name. */
  attributes?: Record<string, Attribute>;
  /** Names for the outputs; defaults to one name derived from the node name. */
  outputs?: string[];
}

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();
  private readonly constantsByValue = new Map<string, string>();

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

  /** Adds a float32 weight under an exact name (e.g. a Hugging Face parameter name). */
  weight(name: string, data: Float32Array, shape: number[]): string {
    this.initializers.push({ name: this.claim(name), dims: shape, data_type: DataType.FLOAT, raw_data: rawBytes(data) });
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
    this.initializers.push({ name, dims: shape, data_type: elementTypeCode[type], raw_data: rawBytes(data) });
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

  /** Serialises the graph as an .onnx file. */
  toBytes(metadata: Record<string, string> = {}): Uint8Array {
    return encodeModel({
      ir_version: IR_VERSION,
      opset_import: [{ domain: '', version: OPSET_VERSION }],
      producer_name: 'live-llm-deck converter',
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
  }
}
