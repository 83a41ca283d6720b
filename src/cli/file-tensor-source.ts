// The converter's tensor source over safetensors files on disk (Node only): headers are read once, each
// tensor is read at its offset when the writer asks for it. A checkpoint of any size, single-file or
// sharded (model.safetensors.index.json), converts without ever being read whole into memory.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { bytesPerElement, decodeToFloat32, parseSafetensorsHeader, safetensorsHeaderLength } from '../convert/safetensors';
import { parseWeightMap, shardedSource, type TensorSource } from '../convert/tensor-source';

/** A source that holds open files until closed. */
export interface FileTensorSource extends TensorSource {
  /** The safetensors files read, and their total size in bytes. */
  files: string[];
  bytes: number;
  close(): void;
}

/** One read call moves at most 1 GiB (Node refuses more than 2 GiB per call). */
const READ_CHUNK = 2 ** 30;

/** Fills `into` with the file's bytes from `position`. */
function readAt(fd: number, into: Uint8Array, position: number, file: string): void {
  for (let done = 0; done < into.byteLength; ) {
    const length = Math.min(READ_CHUNK, into.byteLength - done);
    const read = readSync(fd, into, done, length, position + done);
    if (read === 0) throw new Error(`${file} ended early: expected ${into.byteLength} bytes at offset ${position}`);
    done += read;
  }
}

/** A source over one safetensors file, read at offsets. */
export function safetensorsFileSource(file: string): FileTensorSource {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const lengthBytes = new Uint8Array(8);
    if (size < 8) throw new Error(`safetensors file is truncated: ${size} bytes, the header length alone takes 8`);
    readAt(fd, lengthBytes, 0, file);
    const headerLength = safetensorsHeaderLength(lengthBytes);
    const dataStart = 8 + headerLength;
    if (dataStart > size) throw new Error(`safetensors header is truncated: it declares ${headerLength} bytes but only ${size - 8} follow`);
    const headerBytes = new Uint8Array(headerLength);
    readAt(fd, headerBytes, 8, file);
    const entries = parseSafetensorsHeader(headerBytes, size - dataStart);
    return {
      files: [file],
      bytes: size,
      entries: () => [...entries].map(([name, { dtype, shape }]) => ({ name, dtype, shape })),
      read(name) {
        const entry = entries.get(name);
        if (!entry) throw new Error(`no tensor ${name} in ${basename(file)}`);
        const length = entry.end - entry.begin;
        if (entry.dtype === 'F32') {
          // float32 in the file: read straight into the array, no second copy.
          const values = new Float32Array(length / bytesPerElement.F32);
          readAt(fd, new Uint8Array(values.buffer), dataStart + entry.begin, file);
          return values;
        }
        const raw = new Uint8Array(length);
        readAt(fd, raw, dataStart + entry.begin, file);
        return decodeToFloat32(raw, entry.dtype);
      },
      close: () => closeSync(fd),
    };
  } catch (error) {
    closeSync(fd);
    throw new Error(`${basename(file)}: ${(error as Error).message}`);
  }
}

/**
 * The checkpoint in a folder: model.safetensors, or the shards model.safetensors.index.json lists.
 * Returns null when the folder has neither.
 */
export function checkpointFileSource(folder: string): FileTensorSource | null {
  const single = join(folder, 'model.safetensors');
  const indexPath = join(folder, 'model.safetensors.index.json');
  if (existsSync(single)) return safetensorsFileSource(single);
  if (!existsSync(indexPath)) return null;
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(indexPath, 'utf8'));
  } catch (error) {
    throw new Error(`${indexPath} is not valid JSON: ${(error as Error).message}`);
  }
  const weightMap = parseWeightMap(index);
  const shards = new Map<string, FileTensorSource>();
  try {
    for (const file of new Set(Object.values(weightMap))) {
      const path = join(folder, file);
      if (!existsSync(path)) throw new Error(`model.safetensors.index.json names shard ${file}, which is missing from ${folder}`);
      shards.set(file, safetensorsFileSource(path));
    }
    const combined = shardedSource(weightMap, shards);
    const all = [...shards.values()];
    return {
      ...combined,
      files: all.flatMap((shard) => shard.files),
      bytes: all.reduce((sum, shard) => sum + shard.bytes, 0),
      close: () => all.forEach((shard) => shard.close()),
    };
  } catch (error) {
    for (const shard of shards.values()) shard.close();
    throw error;
  }
}
