// Reading an HTTP Range header, for the deck's own file servers (src/cli/send-file.ts) and for its
// service worker answering from the cache (src/offline/): transformers.js asks for `bytes=0-0` to learn
// a file's size before downloading it. Pure: no Node, no DOM.

/** Inclusive byte positions, as in Content-Range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range of a `size`-byte body: null when the header is
 * not one of these forms (the range is then ignored, as HTTP allows), 'unsatisfiable' when it selects
 * no byte.
 */
export function parseRange(header: string, size: number): ByteRange | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  const [, first, last] = match;
  const start = first === '' ? Math.max(0, size - Number(last)) : Number(first); // "-n": the last n bytes
  const end = first !== '' && last !== '' ? Math.min(Number(last), size - 1) : size - 1;
  return start > end || start >= size ? 'unsatisfiable' : { start, end };
}
