// Keeps the bytes of the model's ONNX file as transformers.js downloads it, so the worker can read
// the weights (embedding table, final layer norm) without asking the server for the file twice.
import { env } from '@huggingface/transformers';

export interface RecordedFile {
  /** The bytes of the last file whose URL ended with the suffix, or null if none was fetched. */
  bytes(): Promise<Uint8Array | null>;
}

/** Wraps transformers.js's fetch: responses whose URL ends with `suffix` are read once and kept. */
export function recordFetchedFile(suffix: string): RecordedFile {
  let recorded: Promise<Uint8Array> | null = null;
  const originalFetch = env.fetch;
  env.fetch = async (input: string | URL, init?: unknown) => {
    const response = (await originalFetch(input, init)) as Response;
    const url = typeof input === 'string' ? input : input.href;
    if (!response.ok || !response.body || !url.split('?')[0].endsWith(suffix)) return response;
    // Tee the body: transformers.js reads one branch (and reports progress from it), we keep the other.
    const [forLibrary, forUs] = response.body.tee();
    recorded = new Response(forUs).arrayBuffer().then((buffer) => new Uint8Array(buffer));
    return new Response(forLibrary, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { bytes: async () => (recorded ? await recorded : null) };
}
