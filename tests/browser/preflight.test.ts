// The preflight page (preflight.html) of the built deck: on WASM it runs its checks to the end with
// the deck's own engine, shows measured figures, asks nothing of another origin and logs no error;
// in a browser with WebGPU (SwiftShader here) it flags the software adapter, times both backends and
// recommends WASM with the deck's exact URL, and, with warnings, never says "All green".
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeck, launchChromium, MODEL_NAME, openDeck, serveFolder, type StaticServer } from '../../src/browser';

let build: Awaited<ReturnType<typeof buildDeck>>;
let server: StaticServer;
let browser: Browser | null = null;

beforeAll(async () => {
  build = await buildDeck();
  server = await serveFolder(build.dir);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  build?.remove();
});

describe('the preflight page', () => {
  it('measures this machine on WASM, offline, and links back to the deck', async () => {
    browser = await launchChromium({ webgpu: false });
    const { context, page, errors, requests, log } = await openDeck(browser, server.deckUrl, 'preflight.html?backend=wasm&model=sotu-gpt');
    await page.waitForSelector('#preflight[data-state="done"]', { timeout: 90_000 }).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${log.join('\n')}`);
    });
    const shown = await page.evaluate(() => {
      const root = document.querySelector<HTMLElement>('#preflight')!;
      const row = (name: string) => document.querySelector<HTMLElement>(`[data-check="${name}"]`);
      return {
        data: { ...root.dataset },
        isolation: row('isolation')?.textContent ?? null,
        backend: row('backend')?.textContent ?? null,
        model: row('model')?.textContent ?? null,
        statuses: Object.fromEntries([...document.querySelectorAll<HTMLElement>('[data-check]')].map((r) => [r.dataset.check, r.dataset.status])),
        warnings: [...document.querySelectorAll('.preflight-warning')].map((p) => p.textContent),
        deck: document.querySelector('#preflight-deck')?.textContent ?? '',
        href: document.querySelector('#preflight-deck-link')?.getAttribute('href'),
        thresholds: document.querySelector('#preflight-thresholds')?.textContent ?? '',
        recommendation: document.querySelector('[data-check="recommendation"]')?.textContent ?? '',
      };
    });
    expect(shown.data.backend).toBe('wasm');
    expect(shown.data.modelName).toBe(MODEL_NAME);
    expect(shown.model).toContain(MODEL_NAME);
    expect(shown.model).toMatch(/\d+ layers, \d+ heads, width \d+/);
    expect(Number(shown.data.loadMs)).toBeGreaterThan(0);
    expect(Number(shown.data.warmUpMs)).toBeGreaterThan(0);
    expect(Number(shown.data.forwardMs)).toBeGreaterThan(0);
    expect(Number(shown.data.tokensPerSecond)).toBeGreaterThan(0);
    expect(Number(shown.data.uncachedTokensPerSecond)).toBeGreaterThan(0);
    expect(Number(shown.data.hardwareConcurrency)).toBeGreaterThan(0);
    expect(shown.data.crossOriginIsolated).toMatch(/^(true|false)$/);
    expect(shown.isolation).toMatch(/Cross-origin isolation/);
    expect(shown.backend).toContain('forced by ?backend=wasm');
    expect(Object.values(shown.statuses)).not.toContain('pending');
    expect(Object.values(shown.statuses)).not.toContain('fail');
    // The test server sends no COOP/COEP headers: the page says WASM runs on one thread (a warning only where WASM is too slow).
    if (shown.data.crossOriginIsolated === 'false') expect(shown.isolation).toMatch(/single-threaded/);
    // Without an adapter WASM is the only backend, and the recommendation says so, with the deck's URL.
    expect(shown.data.recommendedBackend).toBe('wasm');
    expect(shown.data.recommendedUrl).toBe(`${server.deckUrl}?model=sotu-gpt&backend=wasm`);
    expect(shown.recommendation).toContain(`WASM: ${server.deckUrl}?model=sotu-gpt&backend=wasm`);
    expect(shown.recommendation).toContain('the only backend in this browser');
    expect(shown.thresholds).toMatch(/^What a talk needs: loading under 10 s, a warm-up pass under 5 s, a forward pass under 500 ms/);
    // Issue 12: "All green" only when there is no warning.
    expect(shown.deck).toContain('open the deck:');
    expect(shown.deck.startsWith('All green')).toBe(shown.warnings.length === 0);
    expect(shown.data.allGreen).toBe(String(shown.warnings.length === 0));
    expect(shown.href).toBe('./?model=sotu-gpt&backend=wasm');

    const origin = new URL(server.deckUrl).origin;
    expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
    await browser.close();
    browser = null;
  });

  it('on plain http other than localhost, warns that the browser hides WebGPU there, and says why WASM is recommended', async () => {
    browser = await launchChromium({ webgpu: false, hostAliases: ['deck.test'] });
    const { context, page, errors } = await openDeck(browser, server.deckUrl.replace('127.0.0.1', 'deck.test'), 'preflight.html');
    await page.waitForSelector('#preflight[data-state="done"]', { timeout: 90_000 });
    const row = (name: string) => page.locator(`[data-check="${name}"]`);
    expect(await row('adapter').getAttribute('data-status')).toBe('warn');
    expect(await row('adapter').textContent()).toContain('browsers give WebGPU to https and localhost only');
    expect(await row('recommendation').textContent()).toContain('the only backend on plain http');
    expect(await page.locator('#preflight-deck').textContent()).not.toMatch(/^All green/);
    expect(errors).toEqual([]);
    await context.close();
    await browser.close();
    browser = null;
  });

  it('names the missing model file in plain words', async () => {
    const broken = await serveFolder(build.dir, (path) => (path.endsWith('onnx/model.onnx') ? { status: 404, body: 'not found' } : null));
    browser = await launchChromium({ webgpu: false });
    try {
      const { page } = await openDeck(browser, broken.deckUrl, 'preflight.html?backend=wasm');
      await page.waitForSelector('#preflight[data-state="done"]', { timeout: 60_000 });
      const shown = await page.evaluate(() => ({
        model: document.querySelector<HTMLElement>('[data-check="model"]')!.dataset.status,
        warnings: [...document.querySelectorAll('.preflight-warning')].map((p) => p.textContent).join('\n'),
      }));
      expect(shown.model).toBe('fail');
      expect(shown.warnings).toContain('onnx/model.onnx');
    } finally {
      await browser.close();
      browser = null;
      await broken.close();
    }
  });

  // Issue 12: SwiftShader is a software fallback adapter, so it is flagged and WASM is chosen over it (before: a green
  // WebGPU); both backends are timed and WASM, the faster here, is recommended with its exact URL; warnings mean no "All green".
  it('flags a software WebGPU adapter, times both backends and recommends WASM with its URL', async () => {
    browser = await launchChromium({ webgpu: true });
    const { context, page, errors, log } = await openDeck(browser, server.deckUrl, 'preflight.html');
    await page.waitForSelector('[data-check="backend"]', { timeout: 30_000 });
    const adapter = await page.evaluate(() => ({
      text: document.querySelector('[data-check="adapter"]')?.textContent ?? '',
      status: document.querySelector<HTMLElement>('[data-check="adapter"]')?.dataset.status,
      summary: document.querySelector<HTMLElement>('#preflight')!.dataset.adapter,
      software: document.querySelector<HTMLElement>('#preflight')!.dataset.softwareAdapter,
      backend: document.querySelector<HTMLElement>('#preflight')!.dataset.backend,
      backendRow: document.querySelector('[data-check="backend"]')?.textContent ?? '',
    }));
    expect(adapter.text).toContain('WebGPU adapter');
    expect(adapter.text).toMatch(/shader-f16: (yes|no)/);
    expect(adapter.summary).toContain('swiftshader');
    expect(adapter.software).toBe('true');
    expect(adapter.status).toBe('warn');
    expect(adapter.text).toContain('software fallback');
    expect(adapter.backend).toBe('wasm');
    expect(adapter.backendRow).toMatch(/software fallback \(SwiftShader, emulated on the CPU\): running on WASM/);

    await page.waitForSelector('#preflight[data-state="done"]', { timeout: 220_000 }).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${log.join('\n')}`);
    });
    const done = await page.evaluate(() => ({
      data: { ...document.querySelector<HTMLElement>('#preflight')!.dataset },
      comparison: document.querySelector('[data-check="comparison"]')?.textContent ?? '',
      recommendation: document.querySelector('[data-check="recommendation"]')?.textContent ?? '',
      recommendationLink: document.querySelector('[data-check="recommendation"] a')?.getAttribute('href') ?? null,
      deckLink: document.querySelector('#preflight-deck-link')?.getAttribute('href') ?? null,
      warnings: [...document.querySelectorAll('.preflight-warning')].map((p) => p.textContent ?? ''),
      text: document.body.textContent ?? '',
    }));
    // WebGPU (SwiftShader) was measured too: a forward pass on it, for the same prompt.
    expect(done.data.comparisonBackend).toBe('webgpu');
    expect(done.comparison).toContain('WebGPU (comparison)');
    expect(Number(done.data.comparisonForwardMs)).toBeGreaterThan(0);
    expect(done.comparison).toMatch(/forward pass [\d.]+ m?s/);
    // The recommendation: WASM, faster here, with the deck's exact URL.
    expect(done.data.recommendedBackend).toBe('wasm');
    expect(done.data.recommendedUrl).toBe(`${server.deckUrl}?backend=wasm`);
    expect(done.recommendationLink).toBe(`${server.deckUrl}?backend=wasm`);
    expect(done.deckLink).toBe('./?backend=wasm'); // the deck's link at the bottom is the recommended one
    expect(done.recommendation).toMatch(/on WASM, .* on WebGPU \(a software adapter\)/);
    expect(Number(done.data.forwardMs)).toBeLessThan(Number(done.data.comparisonForwardMs));
    // The software adapter is a warning, so the page never says "All green".
    expect(done.warnings.join('\n')).toMatch(/software fallback/);
    expect(done.data.allGreen).toBe('false');
    expect(done.text).not.toContain('All green');
    expect(done.text).toMatch(/Not all green \(\d+ warnings? above\)/);
    expect(errors).toEqual([]);
    await context.close();
  });
});
