// The preflight page (preflight.html) of the built deck: on WASM it runs its checks to the end with
// the deck's own engine, shows measured figures, asks nothing of another origin and logs no error;
// in a browser with WebGPU (SwiftShader here) it shows the adapter's line.
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
    // The test server sends no COOP/COEP headers: the page must say WASM runs on one thread.
    if (shown.data.crossOriginIsolated === 'false') expect(shown.warnings.join('\n')).toMatch(/single thread/);
    // Issue 12: "All green" only when there is no warning (this server sends no COOP/COEP: a warning).
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

  // Issue 12: SwiftShader is a software fallback adapter, so it is flagged and WASM is chosen over it (before: a green WebGPU).
  it("shows the WebGPU adapter's line where the browser has one, and flags a software one", async () => {
    browser = await launchChromium({ webgpu: true });
    const { context, page, errors } = await openDeck(browser, server.deckUrl, 'preflight.html');
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
    expect(errors).toEqual([]);
    await context.close();
  });
});
