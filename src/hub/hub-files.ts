// Which files of a Hub repo make a model folder: config, tokenizer, chat template and safetensors
// weights (one file, or an index and its shards). Everything else (pytorch_model.bin, onnx/, ...) is skipped.
import { HubError } from './hub-errors';

/** One entry of the revision's `siblings`, with the LFS size and sha256 that `?blobs=true` adds. */
export interface HubFile {
  path: string;
  /** Bytes, when the Hub says. */
  size: number | null;
  /** sha256 of an LFS file (the large ones), in hex; null for small files kept in git. */
  sha256: string | null;
}

export interface RevisionInfo {
  /** The commit the revision points at, when the Hub says (files are then fetched at that commit). */
  commit: string | null;
  files: Map<string, HubFile>;
}

export const CONFIG_FILE = 'config.json';
export const SINGLE_WEIGHTS = 'model.safetensors';
export const WEIGHTS_INDEX = 'model.safetensors.index.json';
/** Files a model folder cannot do without (transformers.js loads no tokenizer without both). */
export const REQUIRED_FILES = [CONFIG_FILE, 'tokenizer.json', 'tokenizer_config.json'];
/** Fetched where the repo has them. */
export const OPTIONAL_FILES = ['generation_config.json', 'special_tokens_map.json', 'chat_template.jinja'];

/** Reads the revision JSON (`siblings: [{ rfilename, size?, lfs?: { size, sha256 } }]`, `sha`). */
export function parseRevisionInfo(json: unknown, repo: string): RevisionInfo {
  const record = (json ?? {}) as { sha?: unknown; siblings?: unknown };
  if (!Array.isArray(record.siblings)) throw new HubError(`the Hub's file list for ${repo} has no siblings`);
  const files = new Map<string, HubFile>();
  for (const sibling of record.siblings as { rfilename?: unknown; size?: unknown; lfs?: { size?: unknown; sha256?: unknown } | null }[]) {
    if (typeof sibling?.rfilename !== 'string') continue;
    const lfs = sibling.lfs ?? null;
    const size = typeof lfs?.size === 'number' ? lfs.size : typeof sibling.size === 'number' ? sibling.size : null;
    const sha256 = typeof lfs?.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(lfs.sha256) ? lfs.sha256.toLowerCase() : null;
    files.set(sibling.rfilename, { path: sibling.rfilename, size, sha256 });
  }
  return { commit: typeof record.sha === 'string' && /^[0-9a-f]{40}$/.test(record.sha) ? record.sha : null, files };
}

export interface FileSelection {
  /** Tokenizer, chat template and generation settings (config.json is fetched on its own, first). */
  companions: HubFile[];
  /** `single`: model.safetensors; `sharded`: the index, whose shards are read after it is fetched. */
  weights: { kind: 'single'; file: HubFile } | { kind: 'sharded'; index: HubFile };
}

/** Picks the files to fetch, or says in one line what the repo lacks. */
export function selectFiles(info: RevisionInfo, repo: string): FileSelection {
  const missing = REQUIRED_FILES.filter((path) => !info.files.has(path));
  if (missing.length > 0) {
    throw new HubError(`${repo} has no ${missing.join(', ')}: a model folder needs config.json and a fast tokenizer (tokenizer.json, tokenizer_config.json)`);
  }
  const companions = [...REQUIRED_FILES.slice(1), ...OPTIONAL_FILES].filter((path) => info.files.has(path)).map((path) => info.files.get(path)!);
  const single = info.files.get(SINGLE_WEIGHTS);
  if (single) return { companions, weights: { kind: 'single', file: single } };
  const index = info.files.get(WEIGHTS_INDEX);
  if (index) return { companions, weights: { kind: 'sharded', index } };
  const other = [...info.files.keys()].find((path) => /\.(bin|pt|pth|ckpt|gguf|h5|msgpack)$/.test(path) || path.endsWith('.safetensors'));
  throw new HubError(
    other
      ? `${repo} has no model.safetensors or model.safetensors.index.json (only ${other}): this converter reads safetensors`
      : `${repo} has no model.safetensors or model.safetensors.index.json`,
  );
}

/** The shard files an index names (each once, in order), checked against the repo's file list. */
export function shardsOfIndex(indexJson: unknown, info: RevisionInfo, repo: string): HubFile[] {
  const weightMap = (indexJson as { weight_map?: unknown } | null)?.weight_map;
  if (!weightMap || typeof weightMap !== 'object') throw new HubError(`${WEIGHTS_INDEX} of ${repo} has no weight_map`);
  const names = [...new Set(Object.values(weightMap as Record<string, unknown>))];
  return names.map((name) => {
    // A shard name is a plain file next to the index: never a path that could climb out of the folder.
    if (typeof name !== 'string' || !/^[\w.-]+\.safetensors$/.test(name)) throw new HubError(`${WEIGHTS_INDEX} of ${repo} names an odd shard ${JSON.stringify(name)}`);
    const file = info.files.get(name);
    if (!file) throw new HubError(`${WEIGHTS_INDEX} of ${repo} names ${name}, which the repo does not have`);
    return file;
  });
}
