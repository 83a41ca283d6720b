// Knock-out in the browser (issue 14): on a model converted with the knock-out inputs, a link with the
// who-voted slide's view (ablate) shows the next-token top-10 Node computes with those parts switched off,
// "switch all back on" brings back the plain run's, and a click on a head writes the knock-out into the URL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeck, launchChromium, openDeck, readSlideNumbers, serveFolder, waitForTrace, type StaticServer } from '../../src/browser';
import { loadModelInNode } from '../../src/cli/model-folder';
import { convertModel } from '../../src/convert/index';
import { runTrace } from '../../src/engine/run-trace';
import { parseKnockOut, type Trace } from '../../src/trace';
import { makeRandomGpt2Checkpoint } from '../convert/random-checkpoint';
import { END_OF_TEXT, writeModelFolder } from '../fixtures/model-folder';

const PROMPT = 'The state of the union is strong';
const MODEL = 'tiny-knock-out';
const KNOCK_OUT = '1.2,mlp0';
const modelsFolder = mkdtempSync(join(tmpdir(), 'knock-out-deck-models-'));
const { config, bytes } = makeRandomGpt2Checkpoint({ seed: 93, vocab_size: 8192, n_embd: 32, n_head: 4, n_layer: 3, n_positions: 256 });
const folderConfig = { ...config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
const folder = writeModelFolder(modelsFolder, MODEL, { config: folderConfig, onnx: convertModel({ config: folderConfig, weights: bytes, knockOut: true }), withTokenizer: true });

let build: Awaited<ReturnType<typeof buildDeck>>;
let server: StaticServer;
let browser: Browser;
let knocked: Trace;
let plain: Trace;

beforeAll(async () => {
  const loaded = await loadModelInNode(folder);
  knocked = await runTrace(loaded, PROMPT, { knockOut: parseKnockOut(KNOCK_OUT) });
  plain = await runTrace(loaded, PROMPT);
  await loaded.model.dispose();
  build = await buildDeck(modelsFolder);
  server = await serveFolder(build.dir);
  browser = await launchChromium({ webgpu: false });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  build?.remove();
  rmSync(modelsFolder, { recursive: true, force: true });
});

function expectTopK(shown: { id: number; prob: number }[], expected: Trace): void {
  expect(shown.map((row) => row.id)).toEqual(expected.topk.map((c) => c.id));
  shown.forEach((row, rank) => expect(Math.abs(row.prob - expected.topk[rank].prob), `rank ${rank + 1}`).toBeLessThan(1e-4));
}

describe('knock-out in the deck', () => {
  it('a link with the knock-out shows Node\'s knocked-out top-10; switching all back on shows the plain one', async () => {
    const view = `who-voted:ablate='${encodeURIComponent(KNOCK_OUT)}`;
    const search = `?backend=wasm&model=${MODEL}&prompt=${encodeURIComponent(PROMPT)}&view=${encodeURIComponent(view)}#/who-voted`;
    const { context, page, errors } = await openDeck(browser, server.deckUrl, search);
    await waitForTrace(page, PROMPT);
    await page.waitForSelector('section#who-voted .dla-knock-out[data-state="done"]');
    expectTopK((await readSlideNumbers(page)).topk, knocked);
    expect(plain.topk.map((c) => c.prob)).not.toEqual(knocked.topk.map((c) => c.prob)); // the knock-out moved them
    const panel = await page.locator('section#who-voted .dla-knock-out').textContent();
    expect(panel).toContain('Without layer 1 · head 2, MLP 0');
    expect(await page.locator('section#who-voted aside.live-notes').textContent()).toContain('Switched off: layer 1 · head 2, MLP 0.');
    await page.screenshot({ path: join(tmpdir(), 'who-voted-knock-out.png') });
    expect(await page.locator('section#next-token .next-token-knock-out').textContent()).toContain(`${JSON.stringify(plain.topk[0].token)} was `); // before and after there too

    await page.locator('section#who-voted button.dla-restore').click();
    await page.waitForSelector('section#who-voted .dla-knock-out[data-state="off"]');
    await waitForTrace(page, PROMPT);
    expectTopK((await readSlideNumbers(page)).topk, plain);
    await expect.poll(() => new URL(page.url()).searchParams.getAll('view').join(' '), { timeout: 5_000 }).not.toContain('ablate');

    // A click on a head switches it off, and the URL keeps it.
    const part = await page.locator('section#who-voted button.dla-toggle[data-part*="."]').first().getAttribute('data-part');
    await page.locator(`section#who-voted button.dla-toggle[data-part="${part}"]`).click();
    await page.waitForSelector('section#who-voted .dla-knock-out[data-state="done"]');
    await expect.poll(() => new URL(page.url()).searchParams.getAll('view').join(' '), { timeout: 5_000 }).toContain(`ablate='${part}`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the speaker view\'s previews show the knocked-out run the presenter sees', async () => {
    const view = `who-voted:ablate='${encodeURIComponent(KNOCK_OUT)}`;
    const search = `?backend=wasm&model=${MODEL}&prompt=${encodeURIComponent(PROMPT)}&view=${encodeURIComponent(view)}#/next-token`;
    const { context, page, errors } = await openDeck(browser, server.deckUrl, search);
    await waitForTrace(page, PROMPT);
    await page.waitForSelector('section#who-voted .dla-knock-out[data-state="done"]');
    const speakerViewOpened = context.waitForEvent('page');
    await page.keyboard.press('s');
    const speakerView = await speakerViewOpened;
    const previews = () => speakerView.frames().filter((frame) => new URL(frame.url()).searchParams.has('receiver'));
    const shownProbs = () =>
      Promise.all(previews().map((frame) => frame.evaluate(() => [...document.querySelectorAll<HTMLElement>('section#next-token [data-rank]')].map((row) => Number(row.dataset.prob))).catch(() => [])));
    const expected = knocked.topk.map((c) => c.prob);
    await expect
      .poll(async () => (await shownProbs()).map((probs) => probs.length === expected.length && probs.every((p, i) => Math.abs(p - expected[i]) < 1e-4)), { timeout: 30_000 })
      .toEqual([true, true]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
