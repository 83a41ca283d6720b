// transformers.js fetches each model file twice in the browser (a full GET to check that it exists,
// then the download). This wrapper around its fetch downloads each file once and serves the second
// request from memory; the loader forgets the bytes once the model is loaded, so the worker keeps no
// copy of the weights beside onnxruntime's own.
import { env } from '@huggingface/transformers';

export interface FetchOnce {
  /** Drops every kept file (call when the model is loaded, or failed to load). */
  forget(): void;
}

/** Wraps transformers.js's fetch for URLs that `accepted(url)` names. */
export function fetchFilesOnce(accepted: (url: string) => boolean): FetchOnce {
  const files = new Map<string, { bytes: Promise<Uint8Array<ArrayBuffer>>; headers: Headers }>();
  const originalFetch = env.fetch;
  env.fetch = async (input: string | URL, init?: unknown) => {
    const url = (typeof input === 'string' ? input : input.href).split('?')[0];
    const known = files.get(url);
    if (known) return new Response(await known.bytes, { status: 200, headers: known.headers });
    const response = (await originalFetch(input, init)) as Response;
    if (response.status !== 200 || !response.body || !accepted(url)) return response;
    // Tee the body: transformers.js reads one branch (and reports progress from it), we keep the other for its second request.
    const [forLibrary, forUs] = response.body.tee();
    files.set(url, { bytes: new Response(forUs).arrayBuffer().then((buffer) => new Uint8Array(buffer)), headers: response.headers });
    return new Response(forLibrary, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { forget: () => files.clear() };
}
