/// <reference lib="webworker" />
// The deck's service worker (built to <base>service-worker.js by vite.config.ts; registered by
// register-offline.ts): once the deck has been opened online, it opens and runs its model with the
// host unreachable. Network first, cache second: online every file comes fresh from the host (a
// retrained model must never be served stale), and each complete answer is kept for the day the
// network fails, or the host answers with an error or a redirect (a captive portal). The app shell
// is cached on install, because the page fetched it before this worker existed; the model and
// onnxruntime's files are cached as the engine fetches them, so they are downloaded only once.
import { cacheKey, cacheName, isCacheable, isOldCache, isUnusable, navigationFallback, rangeResponse, type OfflineManifest } from './offline-cache';

declare const self: ServiceWorkerGlobalScope;
/** Replaced by the build (vite.config.ts, offlineSupport) with this build's id and app-shell files. */
declare const __DECK_OFFLINE_MANIFEST__: OfflineManifest;

const manifest = __DECK_OFFLINE_MANIFEST__;
const scope = self.registration.scope;
const cache = cacheName(scope, manifest.buildId);

self.addEventListener('install', (event) => {
  event.waitUntil(precacheShell().then(() => self.skipWaiting())); // a new build takes over at once: it is never older
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (isOldCache(name, scope, manifest.buildId)) await caches.delete(name);
      await self.clients.claim(); // the page that registered us, so the model worker it starts next goes through us
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(scope)) return; // other origins and paths: left to the browser
  event.respondWith(networkFirst(request, event));
});

/** The page's own HTML, JS and CSS, fetched before this worker existed; all or nothing (install fails otherwise). */
async function precacheShell(): Promise<void> {
  const shellCache = await caches.open(cache);
  await Promise.all(
    manifest.shell.map(async (path) => {
      // Relative to the scope (the deck's folder), not to this file: new URL('', this file) is this file
      // itself, so the deck's own address ("" in the manifest) was never kept and an offline reload failed.
      const url = new URL(path, scope).href;
      const response = await fetch(url, { cache: 'no-cache' }); // revalidated: never an older copy from the HTTP cache
      if (!isCacheable(response)) throw new Error(`offline: ${url} answered ${response.status}${response.redirected ? ' (redirected)' : ''}`);
      await shellCache.put(cacheKey(url), response);
    }),
  );
}

async function networkFirst(request: Request, event: FetchEvent): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(request);
  } catch (networkError) {
    const cached = await fromCache(request);
    if (!cached) throw networkError; // never seen online: the same failure as without us
    return cached;
  }
  // A host that is down behind a proxy, or a captive portal's redirect: the copy we have is better.
  if (isUnusable(response)) return (await fromCache(request)) ?? response;
  // A partial (206) answer is not the file: only full ones are kept, and read back for ranges offline.
  if (!request.headers.has('Range') && isCacheable(response)) {
    event.waitUntil(keep(request.url, response.clone()).catch((error: unknown) => console.warn(`offline: ${request.url} not kept`, error)));
  }
  return response;
}

/** The cached copy of this request's file, sliced when it asks for a range, or null. */
async function fromCache(request: Request): Promise<Response | null> {
  const cached = (await caches.match(cacheKey(request.url), { cacheName: cache })) ?? (await shellPageFor(request));
  if (!cached) return null;
  const range = request.headers.get('Range');
  return range === null ? cached : rangeResponse(cached, range); // transformers.js may ask for one byte to learn a size
}

async function keep(url: string, response: Response): Promise<void> {
  if (!(await caches.has(cache))) return; // a newer build has taken over and deleted our cache: leave it deleted
  await (await caches.open(cache)).put(cacheKey(url), response);
}

/** A page of the deck asked for by a navigation under another name (the folder, index.html): the deck's index.html. */
async function shellPageFor(request: Request): Promise<Response | undefined> {
  if (request.mode !== 'navigate') return undefined;
  const page = navigationFallback(request.url, scope);
  return page === null ? undefined : caches.match(page, { cacheName: cache });
}
