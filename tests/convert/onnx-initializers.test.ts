// The hand-written wire reader (src/convert/onnx-initializers.ts, which the browser uses under a strict
// CSP) reads the same initializers as protobufjs: on the deck's real model, and on a synthetic one with
// float16 weights, external data, packed dims and fields the reader skips.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readInitializerFields } from '../../src/convert/onnx-initializers';
import { DataLocation, DataType, decodeModel, encodeModel, type ModelProto } from '../../src/convert/onnx-proto';

function protobufjsView(bytes: Uint8Array) {
  return decodeModel(bytes).graph.initializer.map((tensor) => ({
    name: tensor.name,
    dims: tensor.dims.map(Number),
    data_type: tensor.data_type,
    raw: tensor.raw_data?.length ? [...tensor.raw_data] : null, // protobufjs gives absent bytes as empty ones
    external_data: (tensor.external_data ?? []).map(({ key, value }) => ({ key, value })),
    data_location: tensor.data_location ?? 0,
  }));
}

function handView(bytes: Uint8Array) {
  return readInitializerFields(bytes).map((tensor) => ({
    name: tensor.name,
    dims: tensor.dims,
    data_type: tensor.data_type,
    raw: tensor.raw_data?.length ? [...tensor.raw_data] : null, // protobufjs gives absent bytes as empty ones
    external_data: tensor.external_data,
    data_location: tensor.data_location,
  }));
}

describe('readInitializerFields', () => {
  it('reads the real model as protobufjs does (names, dims, types, every byte)', () => {
    const bytes = new Uint8Array(readFileSync('assets/models/sotu-gpt/onnx/model.onnx'));
    const hand = readInitializerFields(bytes);
    const reference = decodeModel(bytes).graph.initializer;
    expect(hand.length).toBe(reference.length);
    expect(hand.length).toBeGreaterThan(10);
    for (const [index, tensor] of hand.entries()) {
      const expected = reference[index]!;
      expect({ name: tensor.name, dims: tensor.dims, type: tensor.data_type }).toEqual({ name: expected.name, dims: expected.dims.map(Number), type: expected.data_type });
      expect(Buffer.from(tensor.raw_data ?? []).equals(Buffer.from(expected.raw_data ?? []))).toBe(true);
    }
  });

  it('reads float16, external data and a large dimension, skipping nodes, inputs and metadata', () => {
    const model = {
      ir_version: 8,
      opset_import: [{ domain: '', version: 17 }],
      producer_name: 'test',
      metadata_props: [{ key: 'k', value: 'v' }],
      graph: {
        name: 'g',
        node: [{ op_type: 'Add', input: ['a', 'b'], output: ['c'], name: 'add', attribute: [{ name: 'alpha', type: 1, f: 0.5 }] }],
        input: [{ name: 'a' }],
        output: [{ name: 'c' }],
        initializer: [
          { name: 'half', dims: [2, 3], data_type: DataType.FLOAT16, raw_data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) },
          { name: 'wte', dims: [3_000_000_000, 1], data_type: DataType.FLOAT, data_location: DataLocation.EXTERNAL, external_data: [{ key: 'location', value: 'model.onnx_data' }, { key: 'offset', value: '4096' }, { key: 'length', value: '12000000000' }] },
          { name: 'ints', dims: [2], data_type: DataType.INT64, int64_data: [7, 9] },
          { name: 'ünïcödé', dims: [], data_type: DataType.FLOAT, raw_data: new Uint8Array([0, 0, 128, 63]) },
        ],
      },
    } as unknown as ModelProto;
    const bytes = encodeModel(model);
    expect(handView(bytes)).toEqual(protobufjsView(bytes));
    expect(handView(bytes)[1]!.dims).toEqual([3_000_000_000, 1]);
  });

  it('refuses bytes that are not an .onnx file with a plain reason', () => {
    expect(() => readInitializerFields(new TextEncoder().encode('<html>Internal Server Error</html>'))).toThrow(/not an \.onnx file|truncated/);
    const truncated = new Uint8Array(readFileSync('assets/models/sotu-gpt/onnx/model.onnx').subarray(0, 5000));
    expect(() => readInitializerFields(truncated)).toThrow(/truncated/);
  });
});
