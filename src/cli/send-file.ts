// Sends a file over node:http, honouring a single-range `Range: bytes=a-b` request. transformers.js
// asks for `bytes=0-0` to learn a file's size before downloading it; a server that ignores Range
// sends the whole 20 MB model twice. Shared by the Vite plugin and the test/bench servers.
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRange } from '../http/byte-range.ts'; // with its extension: vite.config.ts loads this file natively

export function sendFile(req: IncomingMessage, res: ServerResponse, file: string, contentType: string): void {
  const size = statSync(file).size;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'no-cache');
  const range = req.headers.range === undefined ? null : parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (range) {
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  }
  res.setHeader('Content-Length', String(end - start + 1));
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  createReadStream(file, { start, end }).pipe(res);
}
