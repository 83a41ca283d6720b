// Resolves a --model argument (a folder path, or a name under assets/models) for Node commands.
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { loadModel, type LoadedModel } from '../engine/load-model';

export const DEFAULT_MODEL = 'assets/models/sotu-gpt';

export function resolveModelFolder(arg: string | undefined): { modelRoot: string; name: string } {
  const candidates = [arg ?? DEFAULT_MODEL, join('assets/models', arg ?? '')];
  const folder = candidates.map((c) => resolve(c)).find((c) => existsSync(join(c, 'config.json')));
  if (!folder) throw new Error(`model folder not found (no config.json): ${arg ?? DEFAULT_MODEL}`);
  // transformers.js wants the folder's parent as its root and the folder's name as the model id.
  return { modelRoot: dirname(folder) + '/', name: basename(folder) };
}

/** Loads a model folder in Node (onnxruntime-node), weights included. */
export async function loadModelInNode(arg: string | undefined): Promise<LoadedModel> {
  const { modelRoot, name } = resolveModelFolder(arg);
  return loadModel({
    name,
    modelRoot,
    backend: 'node-cpu',
    readModelBytes: async (file) => new Uint8Array(await readFile(join(modelRoot, name, file))),
    readModelRange: (file, offset, length) => readFileRange(join(modelRoot, name, file), offset, length),
    readTextFile: (file) => readFile(join(modelRoot, name, file), 'utf8').catch(() => null),
  });
}

/** `length` bytes at `offset` of a file: one weight out of a multi-GB onnx/model.onnx_data, not the whole file. */
async function readFileRange(path: string, offset: number, length: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const bytes = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const { bytesRead } = await file.read(bytes, done, Math.min(length - done, 2 ** 30), offset + done);
      if (bytesRead === 0) throw new Error(`${path} ended early: ${done} of ${length} bytes at offset ${offset}`);
      done += bytesRead;
    }
    return bytes;
  } finally {
    await file.close();
  }
}
