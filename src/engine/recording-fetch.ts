// transformers.js fetches each model file twice in the browser (a full GET to check that it exists,
// then the download). This wrapper around its fetch downloads each file once, serves the second
// request from memory, and keeps the bytes, so the worker can read the weights (embedding table,
// final layer norm) from the ONNX file without asking the server for it again.
import { env } from '@huggingface/transformers';

export interface RecordedFiles {
  /** The bytes of the fetched file whose URL ends with `suffix`, or null if none was fetched. */
  bytes(suffix: string): Promise<Uint8Array | null>;
}

/** Wraps transformers.js's fetch for URLs that `recorded(url)` accepts. */
export function recordFetchedFiles(recorded: (url: string) => boolean): RecordedFiles {
  const files = new Map<string, { bytes: Promise<Uint8Array<ArrayBuffer>>; headers: Headers }>();
  const originalFetch = env.fetch;
  env.fetch = async (input: string | URL, init?: unknown) => {
    const url = (typeof input === 'string' ? input : input.href).split('?')[0];
    const known = files.get(url);
    if (known) return new Response(await known.bytes, { status: 200, headers: known.headers });
    const response = (await originalFetch(input, init)) as Response;
    if (response.status !== 200 || !response.body || !recorded(url)) return response;
    // Tee the body: transformers.js reads one branch (and reports progress from it), we keep the other.
    const [forLibrary, forUs] = response.body.tee();
    files.set(url, { bytes: new Response(forUs).arrayBuffer().then((buffer) => new Uint8Array(buffer)), headers: response.headers });
    return new Response(forLibrary, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return {
    bytes: async (suffix) => {
      for (const [url, file] of files) if (url.endsWith(suffix)) return file.bytes;
      return null;
    },
  };
}
