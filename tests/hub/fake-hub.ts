// A fake Hugging Face Hub on 127.0.0.1 with the real URL layout, for tests that must not touch the
// network: /api/models/<repo>/revision/<rev> (siblings, with LFS sizes and sha256 under ?blobs=true),
// /<repo>/resolve/<rev>/<file> (small files served directly, LFS files a 302 to a separate "CDN" server
// on another port, carrying X-Linked-Size and X-Linked-Etag), Range (206/416), HEAD, a gated repo (401
// without the right Bearer token) and 404s with the Hub's X-Error-Code. Faults can be injected: a
// connection cut after N bytes, a corrupted body, a server that ignores Range.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRange } from '../../src/http/byte-range';

export interface FakeRepo {
  /** owner/name */
  id: string;
  files: Record<string, Uint8Array | string>;
  /** 40 hex digits (default: derived from the id). */
  commit?: string;
  /** Branch and tag names the revision may be given as (default ['main']); the commit always works. */
  refs?: string[];
  /** Files answer 401 unless `Authorization: Bearer <gatedToken>` is sent. */
  gatedToken?: string;
  /** Listed in siblings but answering 404 EntryNotFound (a listing out of step with storage). */
  unreachable?: string[];
}

export interface RecordedRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  authorization: string | null;
  range: string | null;
}

interface Fault {
  /** Cut the connection after this many body bytes ... */
  cutAfter?: number;
  /** ... this many times. */
  cuts?: number;
  /** Flip one byte of what is sent. */
  corrupt?: boolean;
  /** Answer 200 with the whole file whatever Range asks. */
  ignoreRange?: boolean;
}

export interface FakeHub {
  endpoint: string;
  cdnOrigin: string;
  requests: RecordedRequest[];
  /** Requests for one file (by repo path, e.g. model.safetensors), on either server. */
  requestsFor(file: string): RecordedRequest[];
  fault(file: string, fault: Fault): void;
  /** Whether ?blobs=true adds LFS sizes and sha256 (a mirror may not; the client then asks HEAD). */
  blobInfo: boolean;
  close(): Promise<void>;
}

const isLfs = (path: string, bytes: Uint8Array) => path.endsWith('.safetensors') || bytes.byteLength > 100_000;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** git's blob id: sha1 of "blob <size>\0" + content (the ETag of a small file). */
const gitBlobId = (bytes: Uint8Array) => createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');

export async function startFakeHub(repos: FakeRepo[]): Promise<FakeHub> {
  const requests: RecordedRequest[] = [];
  const faults = new Map<string, Fault>();
  const blobs = new Map<string, { path: string; bytes: Uint8Array }>();
  const byId = new Map(
    repos.map((repo) => {
      const files = new Map(Object.entries(repo.files).map(([path, content]) => [path, typeof content === 'string' ? new TextEncoder().encode(content) : content]));
      for (const [path, bytes] of files) if (isLfs(path, bytes)) blobs.set(sha256(bytes), { path, bytes });
      const commit = repo.commit ?? createHash('sha1').update(repo.id).digest('hex');
      return [repo.id, { ...repo, files, commit, refs: repo.refs ?? ['main'] }] as const;
    }),
  );
  const hub: FakeHub = {
    endpoint: '',
    cdnOrigin: '',
    requests,
    requestsFor: (file) => requests.filter((r) => (r.server === 'hub' ? r.path.endsWith(`/${file}`) : blobs.get(r.path.split('/').pop()!.split('?')[0])?.path === file)),
    fault: (file, fault) => faults.set(file, { ...fault }),
    blobInfo: true,
    close: async () => {
      for (const server of [hubServer, cdnServer]) server.closeAllConnections(); // the client keeps connections alive
      await Promise.all([hubServer, cdnServer].map((server) => new Promise((done) => server.close(done))));
    },
  };

  const record = (server: 'hub' | 'cdn', req: IncomingMessage) =>
    requests.push({ server, method: req.method ?? 'GET', path: req.url ?? '', authorization: req.headers.authorization ?? null, range: req.headers.range ?? null });

  const notFound = (res: ServerResponse, code: string, message: string) => {
    res.writeHead(404, { 'x-error-code': code, 'x-error-message': message, 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: message }));
  };

  const hubServer = createServer((req, res) => {
    record('hub', req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const match = api ?? resolve;
    if (!match) return notFound(res, 'RepoNotFound', 'Repository not found');
    const repo = byId.get(match[1]);
    if (!repo) return notFound(res, 'RepoNotFound', 'Repository not found');
    const revision = decodeURIComponent(match[2]);
    if (!repo.refs.includes(revision) && revision !== repo.commit) return notFound(res, 'RevisionNotFound', `Invalid rev id: ${revision}`);

    if (api) {
      const blobsAsked = url.searchParams.get('blobs') === 'true' && hub.blobInfo;
      const siblings = [...repo.files].map(([path, bytes]) => ({
        rfilename: path,
        ...(blobsAsked ? { size: bytes.byteLength, blobId: gitBlobId(bytes) } : {}),
        ...(blobsAsked && isLfs(path, bytes) ? { lfs: { size: bytes.byteLength, sha256: sha256(bytes), pointerSize: 134 } } : {}),
      }));
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ id: repo.id, sha: repo.commit, gated: repo.gatedToken ? 'manual' : false, siblings }));
    }

    const path = decodeURIComponent(resolve![3]);
    if (repo.gatedToken && req.headers.authorization !== `Bearer ${repo.gatedToken}`) {
      res.writeHead(401, { 'x-error-code': 'GatedRepo', 'x-error-message': 'Access to this model is restricted.' });
      return res.end();
    }
    const bytes = repo.files.get(path);
    if (!bytes || repo.unreachable?.includes(path)) return notFound(res, 'EntryNotFound', `${path} does not exist on "${revision}"`);
    const common = { 'x-repo-commit': repo.commit };
    if (isLfs(path, bytes)) {
      const digest = sha256(bytes);
      res.writeHead(302, {
        ...common,
        location: `${hub.cdnOrigin}/blobs/${digest}?X-Amz-Signature=fake`,
        'x-linked-size': String(bytes.byteLength),
        'x-linked-etag': `"${digest}"`,
        etag: `"${digest}"`,
      });
      return res.end();
    }
    serveBytes(req, res, path, bytes, { ...common, etag: `"${gitBlobId(bytes)}"` });
  });

  const cdnServer = createServer((req, res) => {
    record('cdn', req);
    const digest = new URL(req.url ?? '/', 'http://fake').pathname.replace(/^\/blobs\//, '');
    const blob = blobs.get(digest);
    if (!blob) {
      res.writeHead(404);
      return res.end();
    }
    serveBytes(req, res, blob.path, blob.bytes, { etag: `"${digest}"` });
  });

  /** 200 or 206 (or 416) for `bytes`, applying the file's fault. */
  function serveBytes(req: IncomingMessage, res: ServerResponse, path: string, bytes: Uint8Array, headers: Record<string, string>) {
    const fault = faults.get(path) ?? {};
    const range = req.headers.range && !fault.ignoreRange ? parseRange(req.headers.range, bytes.byteLength) : null;
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${bytes.byteLength}` });
      return res.end();
    }
    let body = range ? bytes.subarray(range.start, range.end + 1) : bytes;
    if (fault.corrupt) {
      body = Uint8Array.from(body);
      body[Math.floor(body.length / 2)] ^= 0xff;
    }
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-length': String(body.byteLength),
      ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${bytes.byteLength}` } : {}),
    });
    if (req.method === 'HEAD') return res.end();
    if (fault.cutAfter !== undefined && (fault.cuts ?? 1) > 0) {
      fault.cuts = (fault.cuts ?? 1) - 1;
      // Send the first bytes, then drop the connection as a flaky network would.
      return res.write(body.subarray(0, fault.cutAfter), () => res.socket?.destroy());
    }
    res.end(body);
  }

  const listen = (server: Server) =>
    new Promise<string>((done) => server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  hub.endpoint = await listen(hubServer);
  hub.cdnOrigin = await listen(cdnServer);
  return hub;
}

/** A port nothing listens on: an endpoint there is "no network". */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}
