// The deck under the Content-Security-Policy a conference or university host sets (no 'unsafe-eval',
// no data: fonts, nothing from another origin): the built deck served with that header loads its model
// and shows the Node reference's values, and no directive is ever violated (no runtime code generation in
// the page or the worker, KaTeX's and the theme's fonts as files).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { traceSummaryJson } from '../../src/engine/trace-summary';
import { buildDeck, launchChromium, readSlideNumbers, serveFolder, waitForTrace, type StaticServer } from '../../src/browser';
import { NodeReference } from './harness';

export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'";
const PROMPT = 'The Congress should';

let build: Awaited<ReturnType<typeof buildDeck>>;
let server: StaticServer;
let browser: Browser;
beforeAll(async () => {
  build = await buildDeck();
  server = await serveFolder(build.dir, () => null, { headers: { 'Content-Security-Policy': STRICT_CSP } });
  browser = await launchChromium({ webgpu: false });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  build?.remove();
});

describe('the built deck under a strict CSP', () => {
  it('loads its model, shows the reference values and the formulas, and violates nothing', async () => {
    const expected = traceSummaryJson(await new NodeReference().trace(PROMPT));
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    // Every violation the page sees (the worker's are logged to its console, collected below).
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
    });
    const page = await context.newPage();
    const problems: string[] = [];
    const log: string[] = [];
    const watch = (who: string) => (message: { type(): string; text(): string }) => {
      log.push(`${who} ${message.type()}: ${message.text()}`);
      if (message.type() === 'error' || /Content Security Policy|unsafe-eval|Refused to/i.test(message.text())) problems.push(`${who}: ${message.text()}`);
    };
    page.on('console', watch('page'));
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('worker', (worker) => worker.on('console', watch('worker')));
    try {
      await page.goto(`${server.deckUrl}?backend=wasm&prompt=${encodeURIComponent(PROMPT)}`);
      await waitForTrace(page, PROMPT);
      const shown = await readSlideNumbers(page);
      expect(shown.tokenIds).toEqual(expected.ids);
      expect(shown.topk.map((candidate) => candidate.id)).toEqual(expected.topk.map((candidate: { id: number }) => candidate.id));
      expect(await page.locator('#deck-status').getAttribute('data-phase')).toBe('ready');
      // KaTeX drew its formulas, with its own fonts loaded from files.
      expect(await page.locator('.katex').count()).toBeGreaterThan(0);
      // Fonts load when text uses them: ask for KaTeX's and the theme's, as a formula or a title would.
      const loaded = await page.evaluate(async () => ({
        katex: (await document.fonts.load('40px KaTeX_Main', 'x')).length,
        theme: (await document.fonts.load('40px "Source Sans Pro"', 'x')).length,
      }));
      expect(loaded).toEqual({ katex: 1, theme: 1 });
      expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
      expect(problems).toEqual([]);
    } catch (error) {
      console.log(log.join('\n'));
      throw error;
    } finally {
      await context.close();
    }
  });
});
