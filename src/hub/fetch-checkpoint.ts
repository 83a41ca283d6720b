// Fetches the files of one Hub revision that a model folder is made from, in the order that wastes
// nothing: the file list, then config.json (refuse an unsupported family or an oversized model here,
// before any weights), then the tokenizer files, then the weights. Everything lands in a cache folder
// per commit, so a second run finds what the first one finished and resumes what it did not.
import { existsSync, statSync, statfsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkCheckpointFits, describeSize, type CheckpointFit, type WeightDtype } from './checkpoint-fit';
import { downloadFile } from './download';
import { resolveUrl, revisionInfoUrl, type HubSettings } from './hub-endpoint';
import { HubError, type RequestSubject } from './hub-errors';
import { CONFIG_FILE, parseRevisionInfo, selectFiles, shardsOfIndex, type HubFile, type RevisionInfo } from './hub-files';
import { hubRequest } from './hub-request';
import { formatBytes, type ProgressSink } from './progress';

/** How long the Hub may take to answer a small request (the file list, a HEAD). */
const METADATA_TIMEOUT_MS = 30_000;

export interface FetchCheckpointOptions {
  /** `owner/name`. */
  repo: string;
  revision: string;
  /** Downloads go to `<cacheRoot>/<owner>--<name>/<commit>/`. */
  cacheRoot: string;
  dtype: WeightDtype;
  maxGib: number;
  settings: HubSettings;
  /** Progress bars and status lines (stderr). */
  progress: ProgressSink;
  maxAttempts?: number;
  retryDelayMs?: number;
}

export interface FetchedCheckpoint {
  /** The cache folder holding config.json, the tokenizer files and the weights. */
  folder: string;
  /** The commit the revision resolved to, when the Hub said. */
  commit: string | null;
  config: Record<string, unknown>;
  fit: CheckpointFit;
}

export async function fetchCheckpoint(options: FetchCheckpointOptions): Promise<FetchedCheckpoint> {
  const { repo, revision, cacheRoot, dtype, maxGib, settings, progress } = options;
  const subject: RequestSubject = { endpoint: settings.endpoint, repo, revision, withToken: settings.token !== null };

  const info = await revisionInfo(options, subject);
  const selection = selectFiles(info, repo);
  // Files are asked for at the commit the list describes, so a branch moving mid-download cannot mix two versions.
  const fileRevision = info.commit ?? revision;
  const folder = join(cacheRoot, repo.replace('/', '--'), fileRevision);
  const fetchFile = (file: HubFile) =>
    downloadFile({
      url: resolveUrl(settings.endpoint, repo, fileRevision, file.path),
      destination: join(folder, file.path),
      expectedSize: file.size,
      expectedSha256: file.sha256,
      token: settings.token,
      subject: { ...subject, file: file.path },
      progress,
      maxAttempts: options.maxAttempts,
      retryDelayMs: options.retryDelayMs,
    });

  await fetchFile(info.files.get(CONFIG_FILE)!);
  const config = await readJson(join(folder, CONFIG_FILE), repo);
  const fit = checkCheckpointFits(config, repo, dtype, maxGib);
  progress.write(`${repo}: ${describeSize(fit)}\n`);

  for (const file of selection.companions) await fetchFile(file);
  let weights: HubFile[];
  if (selection.weights.kind === 'single') {
    weights = [selection.weights.file];
  } else {
    await fetchFile(selection.weights.index);
    weights = shardsOfIndex(await readJson(join(folder, selection.weights.index.path), repo), info, repo);
  }
  weights = await Promise.all(weights.map((file) => withLinkedSize(file, fileRevision, options, subject)));
  checkFreeSpace(folder, cacheRoot, weights);
  for (const file of weights) await fetchFile(file);
  return { folder, commit: info.commit, config, fit };
}

async function revisionInfo(options: FetchCheckpointOptions, subject: RequestSubject): Promise<RevisionInfo> {
  const { settings, repo, revision } = options;
  const { response } = await hubRequest(revisionInfoUrl(settings.endpoint, repo, revision), {
    token: settings.token,
    subject,
    signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
  });
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new HubError(`${settings.endpoint} did not answer with the file list of ${repo} (is HF_ENDPOINT a Hub?)`);
  }
  return parseRevisionInfo(json, repo);
}

/** A weight file's size and sha256 from a HEAD (its redirect's X-Linked-* headers) when the file list lacks them. */
async function withLinkedSize(file: HubFile, fileRevision: string, options: FetchCheckpointOptions, subject: RequestSubject): Promise<HubFile> {
  if (file.size !== null && file.sha256 !== null) return file;
  const { settings, repo } = options;
  const { response, linkedSize, linkedSha256 } = await hubRequest(resolveUrl(settings.endpoint, repo, fileRevision, file.path), {
    method: 'HEAD',
    token: settings.token,
    subject: { ...subject, file: file.path },
    signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
  });
  const length = Number(response.headers.get('content-length'));
  const size = file.size ?? linkedSize ?? (Number.isSafeInteger(length) && response.headers.has('content-length') ? length : null);
  return { ...file, size, sha256: file.sha256 ?? linkedSha256 };
}

/** Refuses to start gigabytes of downloads onto a disk that cannot take them. */
function checkFreeSpace(folder: string, cacheRoot: string, weights: HubFile[]): void {
  let needed = 0;
  for (const file of weights) {
    const path = join(folder, file.path);
    if (file.size === null || existsSync(path)) continue;
    needed += file.size - (existsSync(`${path}.part`) ? statSync(`${path}.part`).size : 0);
  }
  let free: number;
  try {
    const stats = statfsSync(existsSync(folder) ? folder : cacheRoot);
    free = stats.bavail * stats.bsize;
  } catch {
    return; // no statfs here: the download itself will say if the disk fills
  }
  if (needed > free) throw new HubError(`the weights need ${formatBytes(needed)} in ${folder}, and that disk has ${formatBytes(free)} free`);
}

async function readJson(path: string, repo: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the one-line message
  }
  throw new HubError(`${path.split('/').pop()} of ${repo} is not a JSON object`);
}
