// `npm run model:add -- <owner/name>`: fetch a checkpoint from the Hub, convert it, and put the model
// folder in place only when it is complete (written beside it under a hidden name, then renamed).
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { convertCheckpointFolder } from '../cli/convert-folder';
import { MODELS_JSON, writeModelsJson } from '../cli/models-json';
import { BROWSER_MAX_WEIGHTS_GIB, describeSize, type WeightDtype } from './checkpoint-fit';
import { fetchCheckpoint } from './fetch-checkpoint';
import { DEFAULT_ENDPOINT, DEFAULT_REVISION, hubSettingsFromEnv, parseRepoId } from './hub-endpoint';
import { HubError } from './hub-errors';
import { formatBytes, type ProgressSink } from './progress';

export const USAGE = `usage: npm run model:add -- <owner/name> [--revision <rev>] [--out <folder>] [--dtype fp32|fp16] [--max-gib <n>] [--cache <folder>]
  <owner/name>   a Hugging Face Hub model id, e.g. HuggingFaceTB/SmolLM2-360M-Instruct
  --revision     branch, tag or commit (default main)
  --out          the model folder to write (default assets/models/<name, lowercased>)
  --dtype        precision of the converted weights (default fp32)
  --max-gib      refuse weights larger than this at that precision (default ${BROWSER_MAX_WEIGHTS_GIB}: a browser's WebAssembly memory)
  --cache        where downloads are kept and resumed (default build/hub)
  HF_ENDPOINT replaces ${DEFAULT_ENDPOINT}; HF_TOKEN (or a saved \`hf auth login\`) opens gated repos.`;

export interface ModelAddOptions {
  repo: string;
  revision: string;
  outDir: string;
  dtype: WeightDtype;
  maxGib: number;
  cacheRoot: string;
}

/** Reads the command line; a string is the usage error to print. */
export function parseModelAddArgs(argv: string[], cwd: string): ModelAddOptions | { help: true } | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        revision: { type: 'string' },
        out: { type: 'string' },
        dtype: { type: 'string' },
        'max-gib': { type: 'string' },
        cache: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length !== 1) return positionals.length === 0 ? 'which model? give its Hub id, e.g. HuggingFaceTB/SmolLM2-360M-Instruct' : `one model at a time, got ${positionals.join(' ')}`;
  const repo = parseRepoId(positionals[0]);
  if (!repo) return `not a Hub model id: ${JSON.stringify(positionals[0])} (expected owner/name)`;
  const dtype = values.dtype ?? 'fp32';
  if (dtype !== 'fp32' && dtype !== 'fp16') return `--dtype must be fp32 or fp16, got ${JSON.stringify(dtype)}`;
  const maxGib = values['max-gib'] === undefined ? BROWSER_MAX_WEIGHTS_GIB : Number(values['max-gib']);
  if (!(maxGib > 0)) return `--max-gib must be a positive number, got ${JSON.stringify(values['max-gib'])}`;
  const revision = values.revision?.trim() || DEFAULT_REVISION;
  return {
    repo: repo.id,
    revision,
    outDir: resolve(cwd, values.out ?? join('assets/models', repo.name.toLowerCase())),
    dtype,
    maxGib,
    cacheRoot: resolve(cwd, values.cache ?? 'build/hub'),
  };
}

export interface ModelAddIo {
  env: NodeJS.ProcessEnv;
  /** The result lines. */
  stdout: { write(text: string): unknown };
  /** Progress bars and status lines. */
  stderr: ProgressSink;
  cwd: string;
  /** Download retries within one run, and the wait between them (tests shorten it). */
  maxAttempts?: number;
  retryDelayMs?: number;
  /** Told the hidden folder being written, so an interrupted command can remove it. */
  onTemporaryFolder?: (folder: string | null) => void;
}

/** Runs the command; resolves to the exit code (0, or 1 after printing one line on stderr). */
export async function addModel(options: ModelAddOptions, io: ModelAddIo): Promise<number> {
  const { repo, revision, outDir, dtype, maxGib, cacheRoot } = options;
  const temporary = join(dirname(outDir), `.${basename(outDir)}.incomplete-${process.pid}`);
  let stage: 'fetch' | 'convert' = 'fetch';
  try {
    const settings = hubSettingsFromEnv(io.env);
    refuseNonModelFolder(outDir);
    removeAbandonedFolders(outDir);
    const fetched = await fetchCheckpoint({
      repo,
      revision,
      cacheRoot,
      dtype,
      maxGib,
      settings,
      progress: io.stderr,
      maxAttempts: io.maxAttempts,
      retryDelayMs: io.retryDelayMs,
    });
    io.stderr.write(`converting ${repo} into ${outDir}\n`);
    stage = 'convert';
    rmSync(temporary, { recursive: true, force: true });
    await mkdir(temporary, { recursive: true });
    io.onTemporaryFolder?.(temporary);
    const summary = await convertCheckpointFolder({ inDir: fetched.folder, outDir: temporary, dtype });
    replaceFolder(temporary, outDir);
    io.onTemporaryFolder?.(null);
    const shown = shortPath(io.cwd, outDir);
    const at = fetched.commit ? `${revision} (${fetched.commit.slice(0, 7)})` : revision;
    io.stdout.write(`added ${repo} at ${at} as ${shown}: ${describeSize(fetched.fit)}; ${summary.split(temporary).join(shown)}\n`);
    updateModelsJson(dirname(outDir), io);
    const inDeck = dirname(outDir) === resolve(io.cwd, 'assets/models') ? `   (in the deck: ?model=${basename(outDir)})` : '';
    io.stdout.write(`try it: npm run trace -- --model ${shown} --prompt "Hello"${inDeck}\n`);
    io.stdout.write(`the download stays in ${shortPath(io.cwd, fetched.folder)} (${formatBytes(folderBytes(fetched.folder))}): a re-run downloads only the file list; delete it to free the space\n`);
    return 0;
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    io.onTemporaryFolder?.(null);
    const text = (error as Error)?.message ?? String(error);
    const message = error instanceof HubError ? text : stage === 'convert' ? `converting ${repo} failed: ${text}` : text;
    io.stderr.write(`model:add: ${message.split('\n')[0]}\n`);
    return 1;
  }
}

/** The deck's model menu lists what models.json says: rescan the models root now the new folder is in. */
function updateModelsJson(modelsRoot: string, io: ModelAddIo): void {
  try {
    writeModelsJson(modelsRoot);
  } catch (error) {
    io.stderr.write(`model:add: the model is in place, but ${join(modelsRoot, MODELS_JSON)} could not be updated: ${(error as Error).message.split('\n')[0]}\n`);
  }
}

/** Relative to the working folder when inside it, absolute otherwise. */
function shortPath(cwd: string, path: string): string {
  const inside = relative(cwd, path);
  return inside && !inside.startsWith('..') ? inside : path;
}

function folderBytes(folder: string): number {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

/** Hidden folders a killed run left (its process gone): never a model, so never kept. */
function removeAbandonedFolders(outDir: string): void {
  const parent = dirname(outDir);
  if (!existsSync(parent)) return;
  const pattern = new RegExp(`^\\.${basename(outDir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.incomplete-(\\d+)(\\.old)?$`);
  for (const entry of readdirSync(parent)) {
    const pid = pattern.exec(entry)?.[1];
    if (pid !== undefined && !processIsAlive(Number(pid))) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Never replace a folder that is not a model folder (someone's files): checked before any download. */
function refuseNonModelFolder(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (existsSync(join(outDir, 'config.json')) || readdirSync(outDir).length === 0) return;
  throw new HubError(`${outDir} exists and is not a model folder (no config.json): choose another --out`);
}

/** Moves the finished folder into place; an older model there is removed only after the new one is in. */
function replaceFolder(finished: string, outDir: string): void {
  if (!existsSync(outDir)) {
    renameSync(finished, outDir);
    return;
  }
  const old = `${finished}.old`;
  renameSync(outDir, old);
  renameSync(finished, outDir);
  rmSync(old, { recursive: true, force: true });
}
