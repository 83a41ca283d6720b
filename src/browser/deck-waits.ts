// Waiting for the deck: the model loaded, a prompt's Trace on the slides, the streamed generations
// compared. Each reads what the deck says about itself (#deck-status and the slides' data-* attributes).
import type { Page } from 'playwright-core';

/** Waits until the model is loaded and no run is pending. */
export async function waitForEngineIdle(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const status = document.querySelector<HTMLElement>('#deck-status');
      return !!status && (status.dataset.phase === 'ready' || status.dataset.phase === 'failed') && status.dataset.running === 'false';
    },
    undefined,
    { timeout },
  );
}

/** Waits until the slides, every one of them, show the Trace of exactly `prompt`. */
export async function waitForTrace(page: Page, prompt: string, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const status = document.querySelector<HTMLElement>('#deck-status');
      // ...on every slide: the deck draws the slide on screen first and the others when idle (data-live-stale until then).
      return status?.dataset.running === 'false' && status.getAttribute('data-trace-prompt') === expected && !document.querySelector('[data-live-stale]');
    },
    prompt,
    { timeout },
  );
}

/** Waits until both generations (with and without the KV cache) have finished and the KV-cache slide has compared them. */
export async function waitForGenerations(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const generation = document.querySelector('section#generation .generation-body');
      const kv = document.querySelector('section#kv-cache .kv-cache-body');
      // The run without the cache stops at its cap (uncachedLimit): compare that many steps at most.
      const limit = Number(document.querySelector('section#kv-cache .kv-uncached-cap')?.getAttribute('data-uncached-limit') ?? Infinity);
      const expected = Math.min(Number(generation?.getAttribute('data-generated')), limit);
      return generation?.getAttribute('data-done') === 'true' && kv?.getAttribute('data-compared') === String(expected) && !document.querySelector('[data-live-stale]');
    },
    undefined,
    { timeout },
  );
}
