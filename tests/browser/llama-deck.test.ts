// The deck on a converted Llama-layout model (`?model=tiny-llama`, tests/fixtures/tiny-llama.ts:
// RoPE, RMSNorm, SwiGLU, grouped-query attention): every slide draws from its Trace with nothing
// missing, and the browser computes what Node computes, on WASM and on WebGPU.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceSummaryJson } from '../../src/engine/trace-summary';
import { deckSlides } from '../../slides/index';
import { TINY_LLAMA, writeTinyLlamaFolder } from '../fixtures/tiny-llama';
import { buildDeck, launchChromium, openDeck, readSlideNumbers, serveFolder, slideState, waitForGenerations, waitForTrace, type StaticServer } from '../../src/browser';
import { NodeReference } from './harness';

const PROMPT = 'The state of the union is strong';
const modelsFolder = mkdtempSync(join(tmpdir(), 'llama-deck-models-'));
writeTinyLlamaFolder(modelsFolder);
const reference = new NodeReference(TINY_LLAMA, modelsFolder);

let build: Awaited<ReturnType<typeof buildDeck>>;
let server: StaticServer;

beforeAll(async () => {
  build = await buildDeck(modelsFolder);
  server = await serveFolder(build.dir);
}, 300_000);

afterAll(async () => {
  await server?.close();
  build?.remove();
  rmSync(modelsFolder, { recursive: true, force: true });
});

describe.each([{ backend: 'wasm' }, { backend: 'webgpu' }])('the deck on a Llama-layout model ($backend)', ({ backend }) => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium({ webgpu: backend === 'webgpu' });
  });
  afterAll(async () => browser?.close());

  it('shows the token ids, next-token probabilities and attention Node computes, and draws every slide with nothing missing', async () => {
    const { context, page, errors } = await openDeck(browser, server.deckUrl, `?backend=${backend}&model=${TINY_LLAMA}&prompt=${encodeURIComponent(PROMPT)}`);
    await waitForTrace(page, PROMPT);
    expect(await page.locator('#deck-status').getAttribute('data-backend')).toBe(backend);

    const expected = traceSummaryJson(await reference.trace(PROMPT));
    const shown = await readSlideNumbers(page);
    expect(shown.tokenIds).toEqual(expected.ids);
    expect(shown.topk.map((row) => row.id)).toEqual(expected.topk.map((entry) => entry.id));
    shown.topk.forEach((row, rank) => expect(Math.abs(row.prob - expected.topk[rank].prob), `rank ${rank + 1}`).toBeLessThan(1e-4));
    const { layer, head, cells } = shown.attention;
    expect(cells.length).toBe((expected.ids.length * (expected.ids.length + 1)) / 2);
    for (const cell of cells) expect(Math.abs(cell.prob - expected.attention[layer][head][cell.query][cell.key])).toBeLessThan(1e-4);

    // The family's own words on the slides that differ from GPT-2.
    expect(await page.locator('section#positions .positions-heading').first().textContent()).toBe('This model: rotary (RoPE), in every layer');
    expect(await page.locator('section#positions .slide-content').getAttribute('data-rope-mismatched')).toBe('0'); // measured turns = pos · θ_i
    expect(await page.locator('section#residual-layernorm h2').first().textContent()).toBe('Residual stream and RMSNorm');
    expect(await page.locator('section#feed-forward .tb-ffn-widths').textContent()).toContain('SiLU(gate) × up');

    if (backend === 'wasm') {
      // The generation slides draw once both generations (with and without the cache) have finished.
      await waitForGenerations(page);
      expect(await page.locator('section#kv-cache .kv-cache-body').getAttribute('data-same-tokens')).toBe('true');
      expect(await page.locator('section#kv-cache .kv-cache-body').getAttribute('data-bytes-per-token')).toBe(String(2 * 2 * 16 * 2 * 4)); // 2 KV heads, not 4
      for (const slide of deckSlides) {
        expect(await slideState(page, slide.id), slide.id).toMatchObject({ failed: null, missing: null, waiting: null });
      }
    }
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
