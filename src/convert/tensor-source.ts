// Where the converter gets a checkpoint's tensors: one at a time, widened to float32 only when the graph
// writer asks for it, so converting a multi-GB checkpoint never holds it all (nor the input and the output
// together). Sources over bytes in memory live here (they run in the browser too); the Node source that
// reads safetensors files at an offset is src/cli/file-tensor-source.ts.
import { decodeToFloat32, readSafetensorsHeader, type FloatTensor, type SafetensorsDtype } from './safetensors';

/** A tensor as the checkpoint stores it, before its values are read. */
export interface TensorEntry {
  name: string;
  /** The dtype in the file; values are always read as float32. */
  dtype: SafetensorsDtype;
  shape: number[];
}

export interface TensorSource {
  /** Every tensor, in the checkpoint's order. */
  entries(): TensorEntry[];
  /** One tensor's values as float32, read (and widened from F16/BF16) now; a fresh array each call. */
  read(name: string): Float32Array;
}

/** A source over one whole safetensors file in memory (the browser, tests, small models). */
export function safetensorsSource(bytes: Uint8Array): TensorSource {
  const { dataStart, entries } = readSafetensorsHeader(bytes);
  return {
    entries: () => [...entries].map(([name, { dtype, shape }]) => ({ name, dtype, shape })),
    read(name) {
      const entry = entries.get(name);
      if (!entry) throw new Error(`no tensor ${name} in the checkpoint`);
      return decodeToFloat32(bytes.subarray(dataStart + entry.begin, dataStart + entry.end), entry.dtype);
    },
  };
}

/**
 * A sharded checkpoint as one source: `model.safetensors.index.json`'s weight_map (tensor -> shard file)
 * over one source per shard. Every tensor must be where the index says, and every indexed tensor present.
 */
export function shardedSource(weightMap: Record<string, string>, shards: ReadonlyMap<string, TensorSource>): TensorSource {
  const owner = new Map<string, { source: TensorSource; entry: TensorEntry }>();
  for (const [file, source] of shards) {
    for (const entry of source.entries()) {
      const indexed = weightMap[entry.name];
      if (indexed === undefined) throw new Error(`tensor ${entry.name} in ${file} is not in model.safetensors.index.json`);
      if (indexed !== file) throw new Error(`tensor ${entry.name} is in ${file}, but model.safetensors.index.json says ${indexed}`);
      owner.set(entry.name, { source, entry });
    }
  }
  for (const [name, file] of Object.entries(weightMap)) {
    if (!shards.has(file)) throw new Error(`model.safetensors.index.json names shard ${file}, which is missing`);
    if (!owner.has(name)) throw new Error(`model.safetensors.index.json puts ${name} in ${file}, which does not hold it`);
  }
  return {
    entries: () => [...owner.values()].map(({ entry }) => entry),
    read(name) {
      const found = owner.get(name);
      if (!found) throw new Error(`no tensor ${name} in the checkpoint`);
      return found.source.read(name);
    },
  };
}

/** The tensors of model.safetensors.index.json's weight_map, checked to be names -> shard file names. */
export function parseWeightMap(indexJson: unknown): Record<string, string> {
  const weightMap = (indexJson as { weight_map?: unknown } | null)?.weight_map;
  if (weightMap === null || typeof weightMap !== 'object' || Array.isArray(weightMap)) {
    throw new Error('model.safetensors.index.json has no weight_map object');
  }
  for (const [name, file] of Object.entries(weightMap)) {
    // A shard is a file beside the index: no folders, so an index cannot point outside the checkpoint.
    if (typeof file !== 'string' || !/^[^/\\]+\.safetensors$/.test(file) || file.startsWith('.')) {
      throw new Error(`model.safetensors.index.json maps ${name} to ${JSON.stringify(file)}, not a .safetensors file beside it`);
    }
  }
  return weightMap as Record<string, string>;
}

/**
 * The source's tensors as name -> FloatTensor whose `data` is read from the source each time it is
 * accessed, so the checkpoint readers can check names and shapes without reading any values.
 */
export function lazyTensors(source: TensorSource): Map<string, FloatTensor> {
  const tensors = new Map<string, FloatTensor>();
  for (const { name, dtype, shape } of source.entries()) {
    tensors.set(name, {
      dtype,
      shape,
      get data() {
        return source.read(name);
      },
    });
  }
  return tensors;
}
