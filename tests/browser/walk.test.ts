// Every slide of the built deck, walked in order for a typed prompt: each draws without error,
// the page asks nothing of any other origin, the weight-based slides have their data, and the
// KV-cache slide's two generations (with and without the cache) agree with each other and with Node.
import { describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { generate } from '../../src/engine/generate';
import { tokenize } from '../../src/engine/run-trace';
import { deckSlides } from '../../slides/index';
import { openDeck, slideState, typePrompt, waitForEngineIdle, waitForGenerations, waitForTrace } from '../../src/browser';
import { useBuiltDeck } from './built-deck';

const PROMPT = 'The Congress should';

const deck = useBuiltDeck({ webgpu: false });

describe('walking the whole deck', () => {
  it('draws every slide for a typed prompt, offline, and generates the same tokens with and without the KV cache', async () => {
    const { context, page, errors, requests } = await openDeck(deck.browser, deck.server.deckUrl, '?backend=wasm');
    await waitForEngineIdle(page);
    await typePrompt(page, PROMPT);
    await waitForTrace(page, PROMPT);
    // Both generations have finished when the KV-cache slide has compared every generated token.
    await waitForGenerations(page);

    const ids = await page.evaluate(() => Array.from(document.querySelectorAll('.reveal .slides > section'), (s) => s.id));
    expect(ids).toEqual(deckSlides.map((slide) => slide.id));
    for (const id of ids) {
      await page.evaluate((slideId) => (window.location.hash = `#/${slideId}`), id);
      await page.waitForFunction((slideId) => document.querySelector('.reveal .slides > section.present')?.id === slideId, id);
      const shown = await slideState(page, id);
      expect(shown, id).toMatchObject({ failed: null, missing: null, waiting: null });
      expect(shown.textLength, id).toBeGreaterThan(40);
    }

    const kv = await page.evaluate(() => {
      const body = document.querySelector<HTMLElement>('section#kv-cache .kv-cache-body')!;
      return { same: body.dataset.sameTokens, bytesPerToken: Number(body.dataset.bytesPerToken) };
    });
    expect(kv).toEqual({ same: 'true', bytesPerToken: 4 * 4 * 64 * 2 * 4 });
    const generated = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('section#generation .generation-step[data-step]'), (row) => Number(row.dataset.tokenId)),
    );
    const loaded = await loadModelInNode('sotu-gpt');
    const inNode = await generate(loaded, tokenize(loaded, PROMPT), { maxNewTokens: generated.length, stopAtEndOfText: true });
    expect(generated).toEqual(inNode.map((step) => step.id));

    const origin = new URL(deck.server.deckUrl).origin;
    expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
    // One download of the model: the slides' weights are read from it, not fetched again.
    const onnx = (paths: string[]) => paths.filter((path) => path.endsWith('onnx/model.onnx')).length;
    expect(onnx(deck.server.requested) - onnx(deck.server.ranged)).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
