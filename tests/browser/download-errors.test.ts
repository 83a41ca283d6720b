// Errors say their cause: a model file the host answers with an error status is named with that status
// and its URL on screen, not parsed as a model and blamed on protobuf.
import { describe, expect, it } from 'vitest';
import { openDeck } from '../../src/browser';
import { useBuiltDeck } from './built-deck';

const deck = useBuiltDeck({
  webgpu: false,
  override: (path) => (path === 'models/sotu-gpt/onnx/model.onnx' ? { status: 500, body: 'Internal Server Error' } : null),
});

describe('a model file the host answers with HTTP 500', () => {
  it('is named on screen with "HTTP 500" and its URL, and the deck stays navigable', async () => {
    const { context, page, log } = await openDeck(deck.browser, deck.server.deckUrl, '?backend=wasm&prompt=Hello');
    try {
      const status = page.locator('#deck-status');
      await expect.poll(() => status.getAttribute('data-phase'), { timeout: 60_000 }).toBe('failed');
      const notice = (await status.locator('[data-notice="load-error"]').textContent()) ?? '';
      expect(notice).toContain('HTTP 500');
      expect(notice).toContain(`${deck.server.deckUrl}models/sotu-gpt/onnx/model.onnx`);
      expect(notice).not.toMatch(/protobuf/i);
      expect(await status.getAttribute('data-running')).toBe('false');
      const waiting = await page.locator('section#tokenization').textContent();
      expect(waiting).toContain('HTTP 500');
    } catch (error) {
      console.log(log.join('\n'));
      throw error;
    } finally {
      await context.close();
    }
  });
});
