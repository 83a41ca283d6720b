import { describe, expect, it } from 'vitest';
import { downloadFailure } from '../../src/engine/download-error';

describe('downloadFailure', () => {
  const url = 'https://host.example/deck/models/sotu-gpt/onnx/model.onnx';
  it('names the status and the URL of an error answer', () => {
    expect(downloadFailure(new Response('oops', { status: 500, statusText: 'Internal Server Error' }), url)).toBe(
      `the host answered HTTP 500 Internal Server Error for ${url}; reload when the host is back, or check its logs`,
    );
    expect(downloadFailure(new Response('', { status: 403 }), url)).toMatch(/^the host answered HTTP 403 for /);
  });
  it('lets the file through, and leaves a 404 to transformers.js (optional files)', () => {
    expect(downloadFailure(new Response('x', { status: 200 }), url)).toBeNull();
    expect(downloadFailure(new Response('x', { status: 206 }), url)).toBeNull();
    expect(downloadFailure(new Response('', { status: 404 }), url)).toBeNull();
  });
});
