// Resolves a --model argument (a folder path, or a name under assets/models) for Node commands.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

/** Loads a model folder in Node (onnxruntime-node). */
export async function loadModelInNode(arg: string | undefined): Promise<LoadedModel> {
  const { modelRoot, name } = resolveModelFolder(arg);
  return loadModel({
    name,
    modelRoot,
    backend: 'node-cpu',
    readTextFile: (file) => readFile(join(modelRoot, name, file), 'utf8').catch(() => null),
  });
}
