// A static file server for a built deck, on 127.0.0.1 under a sub-path (so every run also checks that
// the build works from one). Files go through sendFile (Range, exact MIME types, no caching); sirv was
// tried and answers `bytes=0-0`, the request transformers.js sizes files with, with the whole file.
import { existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { sendFile } from '../cli/send-file';

/** The deck is served from this sub-path. */
export const DECK_PATH = '/deck/';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
};

/** What the server answers instead of the file, for the failure tests. */
export type Override = { status: number; body: Buffer | string; contentType?: string; headers?: Record<string, string> } | null;

export interface StaticServer {
  /** The deck's URL: http://127.0.0.1:<port>/deck/ (or the base it was given) */
  deckUrl: string;
  /** Paths that were requested, in order: relative to the deck, or absolute when outside it. */
  requested: string[];
  /** Those of them that asked for a byte range (transformers.js reads one byte to learn a file's size). */
  ranged: string[];
  close(): Promise<void>;
}

/** Where the deck is served and what every answer carries besides the file (a host's CSP, say). */
export interface ServeOptions {
  /** The path the deck is served at: DECK_PATH unless told ("/" for a host's root). */
  base?: string;
  /** Headers added to every answer. */
  headers?: Record<string, string>;
}

/** Serves `dir` at DECK_PATH (or `options.base`); `override` may answer a path instead of its file (to break files). */
export async function serveFolder(dir: string, override: (path: string) => Override = () => null, options: ServeOptions = {}): Promise<StaticServer> {
  const base = options.base ?? DECK_PATH;
  const requested: string[] = [];
  const ranged: string[] = [];
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
    if (!pathname.startsWith(base)) {
      requested.push(pathname); // outside the deck: recorded as an absolute path, and refused
      res.writeHead(404).end();
      return;
    }
    const path = pathname.slice(base.length) || 'index.html';
    requested.push(path);
    if (req.headers.range) ranged.push(path);
    const replaced = override(path);
    if (replaced) {
      res.writeHead(replaced.status, { 'Content-Type': replaced.contentType ?? 'application/octet-stream', ...replaced.headers }).end(replaced.body);
      return;
    }
    const file = resolve(dir, path);
    if (!file.startsWith(resolve(dir) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    sendFile(req, res, file, contentTypes[extname(file)] ?? 'application/octet-stream');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    deckUrl: `http://127.0.0.1:${port}${base}`,
    requested,
    ranged,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
