// Opening the deck in a fresh browser context, recording what it logs and requests.
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface OpenDeck {
  context: BrowserContext;
  page: Page;
  /** console.error messages and uncaught page errors. */
  errors: string[];
  /** Every URL the page and its workers asked for. */
  requests: string[];
  /** Every console message of the page and its workers, for a failing test's report. */
  log: string[];
}

/** A fresh context (empty caches) with the deck open at `search` ("?backend=wasm&prompt=..."). */
export async function openDeck(browser: Browser, deckUrl: string, search = ''): Promise<OpenDeck> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  const log: string[] = [];
  page.on('console', (message) => {
    log.push(`${message.type()}: ${message.text()}`);
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  context.on('request', (request) => requests.push(request.url()));
  page.on('worker', (worker) =>
    worker.on('console', (message) => {
      log.push(`worker ${message.type()}: ${message.text()}`);
      if (message.type() === 'error') errors.push(`worker: ${message.text()}`);
    }),
  );
  await page.goto(deckUrl + search);
  return { context, page, errors, requests, log };
}
