// `vite build` of the deck into a temp folder, with the model folders it ships.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const MODELS_FOLDER = resolve(process.env.DECK_MODELS ?? 'assets/models');
export const MODEL_NAME = 'sotu-gpt';

export function modelFolderOrThrow(): string {
  const folder = join(MODELS_FOLDER, MODEL_NAME);
  if (!existsSync(join(folder, 'onnx', 'model.onnx'))) throw new Error(`no model at ${folder} (set DECK_MODELS to a folder holding ${MODEL_NAME}/)`);
  return folder;
}

/**
 * `vite build` in a child process (its own config load, as `npm run build` does) into a temp folder,
 * with the model folders of `modelsFolder` (default: the deck's own, which must hold sotu-gpt).
 */
export async function buildDeck(modelsFolder?: string): Promise<{ dir: string; remove(): void }> {
  if (modelsFolder === undefined) modelFolderOrThrow();
  const dir = mkdtempSync(join(tmpdir(), 'deck-build-'));
  await promisify(execFile)(process.execPath, [resolve('node_modules/vite/bin/vite.js'), 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'], {
    env: { ...process.env, NODE_ENV: 'production', DECK_MODELS: modelsFolder ?? MODELS_FOLDER }, // what npm run build ships, not vitest's NODE_ENV=test
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
