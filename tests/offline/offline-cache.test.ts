// The pure parts of offline support: which built files are precached, cache names per deck and build,
// which answers are kept, and Range requests answered from a cached full response.
import { describe, expect, it } from 'vitest';
import { parseRange } from '../../src/http/byte-range';
import { appShellFiles, cacheKey, cacheName, isCacheable, isOldCache, isUnusable, navigationFallback, rangeResponse, SERVICE_WORKER_FILE } from '../../src/offline/offline-cache';

describe('appShellFiles', () => {
  it('keeps the root HTML pages and everything under assets/, plus the base itself', () => {
    const built = ['index.html', 'bench.html', 'assets/main-abc.js', 'assets/main-abc.css', 'assets/KaTeX_Main-Regular-x.woff2', 'assets/worker-def.js', SERVICE_WORKER_FILE];
    expect(appShellFiles(built)).toEqual(['', 'assets/KaTeX_Main-Regular-x.woff2', 'assets/main-abc.css', 'assets/main-abc.js', 'assets/worker-def.js', 'bench.html', 'index.html']);
  });

  it('leaves out the model, the runtime, source maps, the service worker and HTML below the root', () => {
    const built = ['index.html', 'models/sotu-gpt/onnx/model.onnx', 'models/sotu-gpt/config.json', 'ort/ort-wasm-simd-threaded.asyncify.wasm', 'ort/ort-wasm-simd-threaded.asyncify.mjs', 'assets/main-abc.js.map', 'docs/page.html', 'assets/', SERVICE_WORKER_FILE];
    expect(appShellFiles(built)).toEqual(['', 'index.html']);
  });

  it('adds the base only when there is an index.html to answer it, and lists each file once', () => {
    expect(appShellFiles(['preflight.html', 'assets/a.js', 'assets/a.js'])).toEqual(['assets/a.js', 'preflight.html']);
  });
});

describe('cache names', () => {
  const scope = 'https://example.org/talks/llm/';

  it('differ per deck and per build', () => {
    expect(cacheName(scope, 'b1')).not.toBe(cacheName(scope, 'b2'));
    expect(cacheName(scope, 'b1')).not.toBe(cacheName('https://example.org/talks/other/', 'b1'));
  });

  it('mark only this deck’s other builds as old', () => {
    expect(isOldCache(cacheName(scope, 'b1'), scope, 'b2')).toBe(true);
    expect(isOldCache(cacheName(scope, 'b2'), scope, 'b2')).toBe(false);
    expect(isOldCache(cacheName('https://example.org/talks/other/', 'b1'), scope, 'b2')).toBe(false);
    // A deck at a sub-path of this one is another deck.
    expect(isOldCache(cacheName('https://example.org/talks/llm/v2/', 'b1'), scope, 'b2')).toBe(false);
    expect(isOldCache('someone-elses-cache', scope, 'b2')).toBe(false);
  });
});

describe('cacheKey', () => {
  it('drops the query and the fragment, so ?prompt= links open offline', () => {
    expect(cacheKey('http://127.0.0.1:5173/deck/?backend=wasm&prompt=Hello#/attention')).toBe('http://127.0.0.1:5173/deck/');
    expect(cacheKey('http://127.0.0.1:5173/deck/models/sotu-gpt/onnx/model.onnx')).toBe('http://127.0.0.1:5173/deck/models/sotu-gpt/onnx/model.onnx');
  });
});

describe('isCacheable', () => {
  it('keeps only complete, same-origin answers that were not redirected', () => {
    expect(isCacheable({ status: 200, type: 'basic', redirected: false })).toBe(true);
    expect(isCacheable({ status: 206, type: 'basic', redirected: false })).toBe(false);
    expect(isCacheable({ status: 404, type: 'basic', redirected: false })).toBe(false);
    expect(isCacheable({ status: 0, type: 'opaque', redirected: false })).toBe(false);
    expect(isCacheable({ status: 200, type: 'cors', redirected: false })).toBe(false);
    expect(isCacheable({ status: 200, type: 'basic', redirected: true })).toBe(false);
  });
});

describe('parseRange', () => {
  it('reads the forms transformers.js and browsers send', () => {
    expect(parseRange('bytes=0-0', 100)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=10-19', 100)).toEqual({ start: 10, end: 19 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-5', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange(' bytes=0-0 ', 100)).toEqual({ start: 0, end: 0 });
  });

  it('clips an end past the body, and a suffix longer than it', () => {
    expect(parseRange('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
  });

  it('finds no byte past the end, in an empty body, or backwards', () => {
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=100-200', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-0', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', 100)).toBe('unsatisfiable');
  });

  it('ignores what it does not understand: other units, several ranges, garbage', () => {
    for (const header of ['', 'bytes=-', 'bytes=0-1,5-6', 'items=0-1', 'bytes=a-b', 'bytes 0-1', 'bytes=1.5-2']) expect(parseRange(header, 100), header).toBeNull();
  });
});

describe('rangeResponse', () => {
  const body = new Uint8Array(Array.from({ length: 100 }, (_, i) => i));
  const cached = () => new Response(body, { status: 200, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': '100' } });

  it('answers one byte with 206 and the size in Content-Range, as transformers.js reads it', async () => {
    const response = await rangeResponse(cached(), 'bytes=0-0');
    expect(response.status).toBe(206);
    expect(response.headers.get('Content-Range')).toBe('bytes 0-0/100');
    expect(/bytes \d+-\d+\/(\d+)/.exec(response.headers.get('Content-Range')!)?.[1]).toBe('100'); // transformers.js's own pattern
    expect(response.headers.get('Content-Length')).toBe('1');
    expect(response.headers.get('Content-Type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0]);
  });

  it('slices the middle and the end of the body', async () => {
    expect([...new Uint8Array(await (await rangeResponse(cached(), 'bytes=10-13')).arrayBuffer())]).toEqual([10, 11, 12, 13]);
    const tail = await rangeResponse(cached(), 'bytes=-3');
    expect(tail.headers.get('Content-Range')).toBe('bytes 97-99/100');
    expect([...new Uint8Array(await tail.arrayBuffer())]).toEqual([97, 98, 99]);
  });

  it('answers 416 with the size for a range outside the body', async () => {
    const response = await rangeResponse(cached(), 'bytes=100-');
    expect(response.status).toBe(416);
    expect(response.headers.get('Content-Range')).toBe('bytes */100');
    expect(response.headers.get('Content-Length')).toBeNull();
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers the whole body (200) for a range it ignores', async () => {
    const response = await rangeResponse(cached(), 'bytes=0-1,5-6');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Range')).toBeNull();
    expect((await response.arrayBuffer()).byteLength).toBe(100);
  });
});

describe('isUnusable', () => {
  it('prefers the cache over an error, a redirect (a captive portal) or an opaque redirect, not over a full or partial answer', () => {
    const answer = (ok: boolean, redirected = false, type: ResponseType = 'basic') => ({ ok, redirected, type });
    expect(isUnusable(answer(true))).toBe(false); // 200, and 206 for a Range request
    expect(isUnusable(answer(false))).toBe(true); // 404, 502, 503
    expect(isUnusable(answer(true, true))).toBe(true);
    expect(isUnusable(answer(false, false, 'opaqueredirect'))).toBe(true);
  });
});

describe('navigationFallback', () => {
  const scope = 'https://host.example/talks/llm/';
  it("answers the deck's folder and index.html, with any query or hash, with the cached index.html", () => {
    expect(navigationFallback('https://host.example/talks/llm/?prompt=Hello%20there#/3', scope)).toBe(`${scope}index.html`);
    expect(navigationFallback('https://host.example/talks/llm/index.html?prompt=x', scope)).toBe(`${scope}index.html`);
    expect(navigationFallback('https://host.example/?prompt=x', 'https://host.example/')).toBe('https://host.example/index.html');
  });
  it('leaves other pages and files to their own cache entries', () => {
    expect(navigationFallback('https://host.example/talks/llm/preflight.html?model=x', scope)).toBeNull();
    expect(navigationFallback('https://host.example/talks/llm/models/sotu-gpt/onnx/model.onnx', scope)).toBeNull();
  });
});
