// Engine supervision (src/engine/client.ts): a worker that dies mid-run is noticed, said on screen,
// replaced, and the prompt runs again without a reload (the speaker view keeps saying what happened); a worker that throws as it starts ends, after
// one retry, in a stable failed state that names its error, with the slides still navigable.
import type { Worker as PlaywrightWorker } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { traceSummaryJson } from '../../src/engine/trace-summary';
import { openDeck, readSlideNumbers, typePrompt, waitForTrace } from '../../src/browser';
import { NodeReference } from './harness';
import { useBuiltDeck } from './built-deck';

const FIRST = 'The Congress should';
const SECOND = 'We the people of the United States';

/** Set by a test: the engine worker's script is replaced by one that throws as it starts. */
let brokenWorker = false;
const deck = useBuiltDeck({
  webgpu: false,
  override: (path) => (brokenWorker && /^assets\/worker-[\w-]+\.js$/.test(path) ? { status: 200, body: "throw new Error('broken engine build');", contentType: 'text/javascript' } : null),
});
const reference = new NodeReference();

/** The deck's model worker (not onnxruntime's threads): the built engine worker's script. */
function engineWorker(workers: PlaywrightWorker[]): PlaywrightWorker {
  const found = workers.filter((worker) => /\/assets\/worker-[\w-]+\.js$/.test(worker.url()));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('engine supervision in the built deck', () => {
  it('a worker killed mid-run: the deck says so, restarts it and shows the prompt’s values again, without a reload', async () => {
    const expectedIds = traceSummaryJson(await reference.trace(SECOND)).ids;
    const { context, page, errors, log } = await openDeck(deck.browser, deck.server.deckUrl, `?backend=wasm&prompt=${encodeURIComponent(FIRST)}`);
    try {
      await waitForTrace(page, FIRST);
      const worker = engineWorker(page.workers());
      await typePrompt(page, SECOND);
      // Killed the way a crashed worker goes: no error event, no answer, just silence.
      await worker.evaluate(() => void setTimeout(() => self.close(), 0));
      const notice = page.locator('#deck-status [data-notice="run-error"]');
      await expect.poll(() => notice.textContent(), { timeout: 60_000, interval: 250 }).toMatch(/^The engine stopped \(.+\)\. Restarting it and reloading the model, then running the prompt again…$/);
      await waitForTrace(page, SECOND);
      expect((await readSlideNumbers(page)).tokenIds).toEqual(expectedIds);
      expect(await page.locator('#deck-status').getAttribute('data-phase')).toBe('ready');
      expect(await notice.count()).toBe(0); // the values are back: the notice goes
      expect(engineWorker(page.workers())).not.toBe(worker);
      expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1); // no reload
      expect(errors).toEqual([]);
      // The presenter's speaker view keeps what happened, under its prompt field, after the badge's notice is gone.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // S is a key for the deck, not the prompt field
      const speakerViewOpened = context.waitForEvent('page');
      await page.keyboard.press('s');
      const speakerView = await speakerViewOpened;
      await expect.poll(() => speakerView.locator('#speaker-backend').textContent(), { timeout: 30_000 }).toMatch(
        /^Backend: WASM · fp32: \d\d:\d\d:\d\d the engine stopped \(.+\) and was restarted \(restart 1\); the model reloads and the prompt runs again\. · at the start: WASM forced by \?backend=wasm$/,
      );
    } catch (error) {
      console.log(log.join('\n'));
      throw error;
    } finally {
      await context.close();
    }
  });

  it('a worker that throws as it starts: one retry, then a stable failed state with its message; the slides still navigate', async () => {
    brokenWorker = true;
    const { context, page, log } = await openDeck(deck.browser, deck.server.deckUrl, `?backend=wasm&prompt=${encodeURIComponent(FIRST)}`);
    try {
      const status = page.locator('#deck-status');
      await expect.poll(() => status.getAttribute('data-phase'), { timeout: 60_000 }).toBe('failed');
      const failedState = async () => ({
        phase: await status.getAttribute('data-phase'),
        running: await status.getAttribute('data-running'),
        notice: await status.locator('[data-notice="load-error"]').textContent(),
      });
      const failed = await failedState();
      expect(failed).toEqual({ phase: 'failed', running: 'false', notice: expect.stringContaining('broken engine build') });
      expect(failed.notice).toMatch(/stopped again after a restart/);
      await page.waitForTimeout(5000); // stable: no more restarts, no "running…"
      expect(await failedState()).toEqual(failed);
      expect(await status.locator('.status-summary').textContent()).not.toContain('running');
      const presentSlide = () => page.locator('.slides > section.present').getAttribute('id');
      const first = await presentSlide();
      await page.keyboard.press('ArrowRight');
      await expect.poll(presentSlide).not.toBe(first);
    } catch (error) {
      console.log(log.join('\n'));
      throw error;
    } finally {
      brokenWorker = false;
      await context.close();
    }
  });
});
