// sendFile's Range answers, which transformers.js relies on (`bytes=0-0` to learn a file's size, then
// byte ranges of external weights): the reason the servers keep it rather than sirv, which answers
// `bytes=0-0` with the whole file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendFile } from '../../src/cli/send-file';

const dir = mkdtempSync(join(tmpdir(), 'send-file-'));
const file = join(dir, 'model.onnx');
const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
let server: Server;
let url = '';

beforeAll(async () => {
  writeFileSync(file, body);
  server = createServer((req, res) => sendFile(req, res, file, 'application/octet-stream'));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.onnx`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

const get = async (range?: string, method = 'GET') => {
  const response = await fetch(url, { method, headers: range ? { range } : {} });
  return { status: response.status, range: response.headers.get('content-range'), length: response.headers.get('content-length'), bytes: Buffer.from(await response.arrayBuffer()) };
};

describe('sendFile', () => {
  it('answers bytes=0-0 with one byte and the size in Content-Range', async () => {
    expect(await get('bytes=0-0')).toEqual({ status: 206, range: 'bytes 0-0/1000', length: '1', bytes: body.subarray(0, 1) });
  });

  it('answers a middle range, an open range and a suffix range with exactly those bytes', async () => {
    expect(await get('bytes=10-19')).toMatchObject({ status: 206, range: 'bytes 10-19/1000', bytes: body.subarray(10, 20) });
    expect(await get('bytes=990-')).toMatchObject({ status: 206, range: 'bytes 990-999/1000', bytes: body.subarray(990) });
    expect(await get('bytes=-10')).toMatchObject({ status: 206, range: 'bytes 990-999/1000', bytes: body.subarray(990) });
  });

  it('says 416 for a range past the end, and sends the whole file without a Range or for HEAD headers only', async () => {
    expect(await get('bytes=2000-')).toMatchObject({ status: 416, range: 'bytes */1000' });
    expect(await get()).toMatchObject({ status: 200, range: null, length: '1000', bytes: body });
    expect(await get(undefined, 'HEAD')).toMatchObject({ status: 200, length: '1000', bytes: Buffer.alloc(0) });
  });
});
