// Downloads one file into the cache: into `<file>.part` first, resumed with a Range request after an
// interruption (this run's retries or a later run), hashed with sha256 while it is written, and renamed
// to its name only once complete and, for LFS files, matching the sha256 the Hub reports.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HubError, networkError, type RequestSubject } from './hub-errors';
import { hubRequest } from './hub-request';
import { FileProgress, type ProgressSink } from './progress';

export interface DownloadRequest {
  url: string;
  /** Where the complete file goes; `<destination>.part` while incomplete. */
  destination: string;
  /** Size from the file list, when known. */
  expectedSize: number | null;
  /** sha256 from the file list, when known (the redirect's X-Linked-Etag is used otherwise). */
  expectedSha256: string | null;
  token: string | null;
  subject: RequestSubject & { file: string };
  progress: ProgressSink;
  /** Tries in this run before giving up (the .part stays for the next run). */
  maxAttempts?: number;
  /** Wait before retry n is n times this. */
  retryDelayMs?: number;
}

export interface DownloadResult {
  bytes: number;
  /** sha256 of the whole file, hex (null for a file found complete in the cache: it was checked when it arrived). */
  sha256: string | null;
  /** false when the complete file was already in the cache. */
  downloaded: boolean;
  /** The byte offsets this run resumed from (one per Range request sent). */
  resumedFrom: number[];
}

/** Downloads (or finds in the cache) one file; throws a one-line HubError when it cannot. */
export async function downloadFile(request: DownloadRequest): Promise<DownloadResult> {
  const { destination, expectedSize, maxAttempts = 3, retryDelayMs = 1000 } = request;
  // A file is renamed into place only after its checks passed, so a present file of the right size is complete.
  if (existsSync(destination) && (expectedSize === null || statSync(destination).size === expectedSize)) {
    return { bytes: statSync(destination).size, sha256: null, downloaded: false, resumedFrom: [] };
  }
  await mkdir(dirname(destination), { recursive: true });
  const partPath = `${destination}.part`;
  const resumedFrom: number[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await downloadAttempt(request, partPath, resumedFrom)), resumedFrom };
    } catch (error) {
      if (error instanceof HubError || attempt >= maxAttempts) {
        throw error instanceof HubError ? error : interrupted(request, partPath, error);
      }
      request.progress.write(`${request.subject.file}: ${reasonOf(request, error)}; trying again (${attempt + 1} of ${maxAttempts})\n`);
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs * attempt));
    }
  }
}

/** One request: resume from the .part (Range) or start it, stream into it, check it, rename it. */
async function downloadAttempt(request: DownloadRequest, partPath: string, resumedFrom: number[]): Promise<Omit<DownloadResult, 'resumedFrom'>> {
  const { url, destination, token, subject, progress } = request;
  let have = existsSync(partPath) ? (await stat(partPath)).size : 0;
  if (request.expectedSize !== null && have > request.expectedSize) {
    await rm(partPath); // longer than the file can be: not a prefix of it
    have = 0;
  }
  const { response, linkedSize, linkedSha256 } = await hubRequest(url, {
    token,
    subject,
    headers: have > 0 ? { range: `bytes=${have}-` } : {},
    acceptStatuses: [416],
  });
  if (have > 0) resumedFrom.push(have);
  const expectedSize = request.expectedSize ?? linkedSize;
  const expectedSha256 = request.expectedSha256 ?? linkedSha256;

  if (response.status === 416) {
    // Nothing past what we have: complete if it has the full size, otherwise start again.
    await response.body?.cancel();
    if (expectedSize === null || have !== expectedSize) {
      await rm(partPath, { force: true });
      throw new Error('the server refused to resume; starting again');
    }
    return finish(request, partPath, await hashFile(partPath), have, expectedSha256, false);
  }
  let start = have;
  if (response.status === 200 && have > 0) start = 0; // the server ignored Range: the whole file comes again
  else if (response.status === 206 && contentRangeStart(response.headers.get('content-range')) !== have) {
    await response.body?.cancel();
    throw new HubError(`${subject.endpoint} sent the wrong byte range for ${subject.file}`);
  }

  const hash = createHash('sha256');
  if (start > 0) await hashInto(hash, partPath);
  else if (have > 0) await truncate(partPath, 0);
  const lengthHeader = Number(response.headers.get('content-length'));
  const total = expectedSize ?? (Number.isSafeInteger(lengthHeader) && lengthHeader >= 0 ? start + lengthHeader : null);
  const bar = new FileProgress(progress, subject.file, total, start);
  const file = await open(partPath, start > 0 ? 'a' : 'w');
  let written = start;
  try {
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await file.write(chunk);
        hash.update(chunk);
        written += chunk.byteLength;
        bar.update(written);
      }
    }
  } catch (error) {
    bar.abandon();
    throw error; // the .part keeps what arrived; the next attempt resumes from there
  } finally {
    await file.close();
  }
  if (total !== null && written !== total) {
    bar.abandon();
    throw new Error(`received ${written} of ${total} bytes`);
  }
  bar.finish();
  return finish(request, partPath, hash.digest('hex'), written, expectedSha256, true);
}

/** Checks the sha256 and moves the .part into place; a mismatch deletes the download. */
async function finish(request: DownloadRequest, partPath: string, sha256: string, bytes: number, expectedSha256: string | null, downloaded: boolean): Promise<Omit<DownloadResult, 'resumedFrom'>> {
  if (expectedSha256 !== null && sha256 !== expectedSha256) {
    await rm(partPath, { force: true });
    throw new HubError(
      `checksum mismatch for ${request.subject.file} of ${request.subject.repo}: sha256 ${sha256.slice(0, 12)}..., the Hub says ${expectedSha256.slice(0, 12)}...; the download was deleted, run again`,
    );
  }
  await rename(partPath, request.destination);
  return { bytes, sha256, downloaded };
}

function interrupted(request: DownloadRequest, partPath: string, error: unknown): HubError {
  const have = existsSync(partPath) ? statSync(partPath).size : 0;
  return new HubError(
    `download of ${request.subject.file} interrupted (${reasonOf(request, error)}) with ${have} bytes saved: run the same command again to resume`,
  );
}

/** Why a transfer stopped, in words ("connection closed mid-transfer"). */
function reasonOf(request: DownloadRequest, error: unknown): string {
  const host = new URL(request.url).host;
  return networkError(error, host).message.slice(`cannot reach ${host}: `.length);
}

/** `bytes 100-199/200` -> 100. */
function contentRangeStart(header: string | null): number | null {
  const match = header ? /^bytes (\d+)-/.exec(header) : null;
  return match ? Number(match[1]) : null;
}

async function hashInto(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

/** sha256 of a file, streamed (weights can be larger than a buffer). */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await hashInto(hash, path);
  return hash.digest('hex');
}
