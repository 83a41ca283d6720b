// Knock-out in the browser (issue 14): on a model converted with the knock-out inputs, an old link with the
// who-voted slide's view (ablate) shows the next-token top-10 Node computes with those parts switched off and
// is rewritten as ?ablate=, "switch all back on" brings back the plain run's, and a click on a head writes the
// knock-out into the URL. On the embedded model (converted with the inputs): a click on a head on the multi-head
// slide gives the top-10 `npm run trace -- --ablate L.H` prints, a ?ablate= link reproduces it, and the speaker
// view's previews show it too.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeck, launchChromium, openDeck, readSlideNumbers, serveFolder, waitForGenerations, waitForTrace, type StaticServer } from '../../src/browser';
import { frameProblems } from '../../src/browser/frame-check';
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
cpSync('assets/models/sotu-gpt', join(modelsFolder, 'sotu-gpt'), { recursive: true }); // the deck's own model, the default

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
    // The old link is rewritten in the deck's own form.
    await expect.poll(() => new URL(page.url()).searchParams.get('ablate'), { timeout: 10_000 }).toBe(KNOCK_OUT);
    expect(new URL(page.url()).searchParams.getAll('view').join(' ')).not.toContain('ablate');
    const panel = await page.locator('section#who-voted .dla-knock-out').textContent();
    expect(panel).toContain('Without layer 1 · head 2, MLP 0');
    expect(await page.locator('section#who-voted aside.live-notes').textContent()).toContain('Switched off: layer 1 · head 2, MLP 0.');
    await page.screenshot({ path: join(tmpdir(), 'who-voted-knock-out.png') });
    expect(await page.locator('section#next-token .next-token-knock-out').textContent()).toContain(`Without layer 1 · head 2, MLP 0, ${JSON.stringify(plain.topk[0].token)} `); // before and after there too

    await page.locator('section#who-voted button.dla-restore').click();
    await page.waitForSelector('section#who-voted .dla-knock-out[data-state="off"]');
    await waitForTrace(page, PROMPT);
    expectTopK((await readSlideNumbers(page)).topk, plain);
    // The URL is written 300 ms after the last change (debounced): poll for it.
    await expect.poll(() => new URL(page.url()).searchParams.has('ablate'), { timeout: 30_000 }).toBe(false);
    expect(new URL(page.url()).searchParams.getAll('view').join(' ')).not.toContain('ablate');

    // A click on a head switches it off, and the URL keeps it.
    const part = await page.locator('section#who-voted button.dla-toggle[data-part*="."]').first().getAttribute('data-part');
    await page.locator(`section#who-voted button.dla-toggle[data-part="${part}"]`).click();
    await page.waitForSelector('section#who-voted .dla-knock-out[data-state="done"]');
    await expect.poll(() => new URL(page.url()).searchParams.get('ablate'), { timeout: 10_000 }).toBe(part); // the deck's own parameter
    expect(new URL(page.url()).searchParams.getAll('view').join(' ')).not.toContain('ablate');
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

/** `npm run trace` itself, on the embedded model: its JSON. */
function traceCommand(...args: string[]): { topk: { id: number; prob: number }[]; attribution?: { components: { kind: string; layer: number | null; head: number | null; value: number }[] } } {
  const result = spawnSync('npx', ['tsx', 'src/cli/trace.ts', '--prompt', EMBEDDED_PROMPT, '--json', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run trace ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const EMBEDDED_PROMPT = 'The Congress should';

describe('knock-out on the embedded model, set from the multi-head slide', () => {
  let head: { layer: number; head: number };
  let expected: { id: number; prob: number }[];
  let plainTopK: { id: number; prob: number }[];

  beforeAll(() => {
    // The head that voted most for the top token (by |value|): switching it off visibly moves the top 10.
    const plainRun = traceCommand('--attribution');
    plainTopK = plainRun.topk;
    const heads = plainRun.attribution!.components.filter((c) => c.kind === 'head');
    const strongest = heads.reduce((best, c) => (Math.abs(c.value) > Math.abs(best.value) ? c : best));
    head = { layer: strongest.layer!, head: strongest.head! };
    expected = traceCommand('--ablate', `${head.layer}.${head.head}`).topk;
  }, 120_000);

  function expectShown(shown: { id: number; prob: number }[]): void {
    expect(shown.map((row) => row.id)).toEqual(expected.map((c) => c.id));
    shown.forEach((row, rank) => expect(Math.abs(row.prob - expected[rank].prob), `rank ${rank + 1}`).toBeLessThan(1e-4));
  }

  it('a click on a head gives npm run trace --ablate\'s top 10; the URL keeps ?ablate=; a link with it reproduces it, in the speaker view\'s previews too', async () => {
    const part = `${head.layer}.${head.head}`;
    const search = `?backend=wasm&prompt=${encodeURIComponent(EMBEDDED_PROMPT)}&view=${encodeURIComponent(`attention:layer=${head.layer}`)}#/multi-head`;
    const first = await openDeck(browser, server.deckUrl, search);
    await waitForTrace(first.page, EMBEDDED_PROMPT);
    expect((await readSlideNumbers(first.page)).topk.map((row) => row.id)).toEqual(plainTopK.map((c) => c.id));
    await first.page.locator(`section#multi-head figure.tb-head[data-head="${head.head}"] button.ko-toggle[data-part="${part}"]`).click();
    await first.page.waitForSelector('section#multi-head .ko-status[data-state="done"]', { timeout: 120_000 });
    await waitForTrace(first.page, EMBEDDED_PROMPT);
    expectShown((await readSlideNumbers(first.page)).topk);
    expect(expected.map((c) => c.prob)).not.toEqual(plainTopK.map((c) => c.prob)); // the knock-out moved them
    expect(await first.page.locator('section#next-token .next-token-knock-out').textContent()).toMatch(new RegExp(`^Without layer ${head.layer} · head ${head.head}, `));
    await expect.poll(() => new URL(first.page.url()).searchParams.get('ablate'), { timeout: 10_000 }).toBe(part);
    expect(first.errors).toEqual([]);
    await first.context.close();

    const second = await openDeck(browser, server.deckUrl, `?backend=wasm&prompt=${encodeURIComponent(EMBEDDED_PROMPT)}&ablate=${part}#/next-token`);
    await waitForTrace(second.page, EMBEDDED_PROMPT);
    await second.page.waitForSelector('section#who-voted .dla-knock-out[data-state="done"]', { state: 'attached', timeout: 120_000 });
    await waitForTrace(second.page, EMBEDDED_PROMPT);
    expectShown((await readSlideNumbers(second.page)).topk);
    expect(await second.page.locator(`section#multi-head .tb-overview-cell.ko-off`).count()).toBe(1);

    const speakerViewOpened = second.context.waitForEvent('page');
    await second.page.keyboard.press('s');
    const speakerView = await speakerViewOpened;
    const previews = () => speakerView.frames().filter((frame) => new URL(frame.url()).searchParams.has('receiver'));
    const shown = () =>
      Promise.all(
        previews().map((frame) =>
          frame
            .evaluate(() => [...document.querySelectorAll<HTMLElement>('section#next-token [data-rank]')].map((row) => ({ id: Number(row.dataset.tokenId), prob: Number(row.dataset.prob) })))
            .catch(() => []),
        ),
      );
    const matches = (rows: { id: number; prob: number }[]) =>
      rows.length === expected.length && rows.every((row, rank) => row.id === expected[rank].id && Math.abs(row.prob - expected[rank].prob) < 1e-4);
    await expect.poll(async () => (await shown()).map(matches), { timeout: 60_000 }).toEqual([true, true]);
    // The previews' multi-head slide marks the same head (the deck's state travels with the views).
    const marked = () => Promise.all(previews().map((frame) => frame.evaluate(() => [...document.querySelectorAll<HTMLElement>('section#multi-head .tb-overview-cell.ko-off')].map((cell) => `${cell.dataset.layer}.${cell.dataset.head}`)).catch(() => [])));
    await expect.poll(marked, { timeout: 30_000 }).toEqual([[part], [part]]);

    // Under the knock-out, what each slide adds for it stays in the frame and is legible (hall sizes, contrast).
    // (The slides' own overflows and type sizes are the frame-and-legibility test's, with its allowances.)
    await waitForGenerations(second.page);
    for (const id of ['transformer-tower', 'multi-head', 'next-token', 'who-voted', 'generation', 'complete-response']) {
      await second.page.evaluate((slide) => (window.location.hash = `#/${slide}`), id);
      await second.page.waitForFunction((slide) => document.querySelector('.reveal .slides > section.present')?.id === slide, id);
      await second.page.waitForTimeout(700); // Reveal's fade
      const problems = await frameProblems(second.page, `section#${id}`, '.reveal .slides', true);
      const mine = problems.filter((p) => /\bko-|dla-knock|dla-before|dla-restore|next-token-knock/.test(p.detail));
      expect(mine, id).toEqual([]);
      if (id !== 'who-voted') expect(await second.page.locator(`section#${id} .ko-status, section#${id} .ko-before-after, section#${id} .ko-answer`).count(), id).toBeGreaterThan(0);
    }
    expect(second.errors).toEqual([]);
    await second.context.close();
  });
});
