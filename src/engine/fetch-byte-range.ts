// One byte range of a file on the deck's server (or from the service worker's copy, offline): the worker
// reads the few weights the slides need out of a multi-GB onnx/model.onnx_data this way, never the whole file.

/** `length` bytes at `offset` of `url`, by a Range request; a server that answers with the whole file is refused. */
export async function fetchByteRange(url: string, offset: number, length: number): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  const response = await fetch(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
  if (response.status !== 206) {
    await response.body?.cancel(); // a 200 would be the whole file: do not download gigabytes for a few weights
    throw new Error(`${url.split('/').pop()} answered ${response.status} to a Range request: its server must support byte ranges`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength !== length) throw new Error(`${url.split('/').pop()} gave ${bytes.byteLength} bytes of the ${length} asked for`);
  return bytes;
}
