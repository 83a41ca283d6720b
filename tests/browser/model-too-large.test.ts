// A model that will not fit is refused before loading: its size (from a one-byte Range answer) against
// WebAssembly's 4 GiB, said on screen with both numbers, and its weights never downloaded.
import { describe, expect, it } from 'vitest';
import { openDeck } from '../../src/browser';
import { useBuiltDeck } from './built-deck';

const MODEL = 'models/sotu-gpt/onnx/model.onnx';
/** The host says the model file is 6.4 GB (answering the Range request transformers.js and the deck size files with). */
const deck = useBuiltDeck({
  webgpu: false,
  override: (path) => (path === MODEL ? { status: 206, body: '\0', headers: { 'Content-Range': 'bytes 0-0/6400000000', 'Accept-Ranges': 'bytes' } } : null),
});

describe('a model larger than the browser can hold', () => {
  it('is refused before its weights are downloaded, with its size and the limit', async () => {
    const { context, page, log } = await openDeck(deck.browser, deck.server.deckUrl, '?backend=wasm&prompt=Hello');
    try {
      const status = page.locator('#deck-status');
      await expect.poll(() => status.getAttribute('data-phase'), { timeout: 60_000 }).toBe('failed');
      const notice = (await status.locator('[data-notice="load-error"]').textContent()) ?? '';
      expect(notice).toContain('the model is 6.4 GB');
      expect(notice).toContain("WebAssembly's 4 GiB memory");
      expect(await status.getAttribute('data-running')).toBe('false');
      const asked = deck.server.requested.filter((path) => path === MODEL).length;
      const ranged = deck.server.ranged.filter((path) => path === MODEL).length;
      expect(asked).toBeGreaterThan(0);
      expect(asked - ranged).toBe(0); // never a full download
    } catch (error) {
      console.log(log.join('\n'));
      throw error;
    } finally {
      await context.close();
    }
  });
});
