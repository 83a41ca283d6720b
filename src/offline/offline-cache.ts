// The pure parts of the deck's offline support, shared by the service worker (service-worker.ts) and
// the build (vite.config.ts): which built files make the app shell, how caches are named, which
// responses may be kept, and how a Range request is answered from a cached full response.
// No DOM and no Node: Response, Headers and Blob exist in both the service worker and Node 20.
import { parseRange } from '../http/byte-range.ts'; // with its extension: vite.config.ts loads this file natively

/** What the build writes into the service worker: a fresh cache per build, and the files to cache on install. */
export interface OfflineManifest {
  /** Changes whenever a shell file changes (a hash of their names and contents). */
  buildId: string;
  /** Paths relative to the service worker's folder (the deck's base); "" is the base itself. */
  shell: string[];
}

/** The service worker's file at the build's root (not hashed: its URL must stay the same across builds). */
export const SERVICE_WORKER_FILE = 'service-worker.js';

/**
 * The app shell among the build's files: the HTML pages at the root and everything under assets/,
 * plus "" (the deck's address without index.html, which a static host answers with index.html).
 * models/ and ort/ are left out: tens of MB, cached as the engine fetches them.
 */
export function appShellFiles(builtFiles: Iterable<string>): string[] {
  const shell = new Set<string>();
  for (const file of builtFiles) {
    if (file.endsWith('.map')) continue; // source maps are for devtools, not the talk
    if ((!file.includes('/') && file.endsWith('.html')) || (file.startsWith('assets/') && file.length > 'assets/'.length)) shell.add(file);
  }
  if (shell.has('index.html')) shell.add('');
  return [...shell].sort();
}

const CACHE_PREFIX = 'live-llm-deck-offline';

/** One cache per deck (its scope: several decks may share an origin) and per build. */
export function cacheName(scope: string, buildId: string): string {
  return `${CACHE_PREFIX} ${scope} ${buildId}`;
}

/** A cache this deck's older builds left behind (another deck's caches, or anyone else's, are kept). */
export function isOldCache(name: string, scope: string, buildId: string): boolean {
  return name.startsWith(`${CACHE_PREFIX} ${scope} `) && name !== cacheName(scope, buildId);
}

/** The key a URL is cached under: without query or fragment (a static host ignores them; ?prompt= varies). */
export function cacheKey(url: string): string {
  const key = new URL(url);
  key.search = '';
  key.hash = '';
  return key.href;
}

/**
 * The cached page that answers a navigation offline when its own address was never kept: the deck's
 * index.html for its folder (with any query or hash) or for index.html itself; null for anything else
 * (another page of the deck, preflight.html, is cached under its own name).
 */
export function navigationFallback(url: string, scope: string): string | null {
  const key = cacheKey(url);
  return key === scope || key === `${scope}index.html` ? `${scope}index.html` : null;
}

/**
 * An answer the deck cannot use, where a cached copy is better: an error status (a host that is down
 * behind a proxy answers 502 or 503) or a redirect (a venue's captive portal sends every request to
 * its login page). Partial (206) answers to Range requests are fine.
 */
export function isUnusable(response: Pick<Response, 'ok' | 'type' | 'redirected'>): boolean {
  return !response.ok || response.redirected || response.type === 'opaqueredirect';
}

/** Only complete, same-origin, first-hand answers are kept: a redirected one cannot answer a navigation. */
export function isCacheable(response: Pick<Response, 'status' | 'type' | 'redirected'>): boolean {
  return response.status === 200 && response.type === 'basic' && !response.redirected;
}

/**
 * The answer to a Range request from a cached full (200) response: 206 with the slice and its
 * Content-Range (transformers.js reads the file's size from it), 416 outside the body, or the
 * whole body when the header is not a range we understand.
 */
export async function rangeResponse(full: Response, rangeHeader: string): Promise<Response> {
  const body = await full.blob(); // a Blob slices without copying the (possibly 20 MB) body
  const headers = new Headers(full.headers);
  const range = parseRange(rangeHeader, body.size);
  if (range === null) return new Response(body, { status: 200, statusText: 'OK', headers });
  headers.delete('Content-Length');
  if (range === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${body.size}`);
    return new Response(null, { status: 416, statusText: 'Range Not Satisfiable', headers });
  }
  headers.set('Content-Range', `bytes ${range.start}-${range.end}/${body.size}`);
  headers.set('Content-Length', String(range.end - range.start + 1));
  return new Response(body.slice(range.start, range.end + 1), { status: 206, statusText: 'Partial Content', headers });
}
