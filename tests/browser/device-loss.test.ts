// A lost WebGPU device in the middle of a talk (issue 15 item 2): the deck runs on WebGPU (SwiftShader,
// forced with ?backend=webgpu since a software adapter is never chosen by itself), the device onnxruntime
// runs on is destroyed (GPUDevice.destroy() resolves its `lost` promise, as a driver reset would), and the
// deck moves the model to WASM without a reload: the badge says so quietly, the presenter's speaker-view line
// says so, and the slides' values are exactly a plain WASM run's.
import type { Page, Worker as PlaywrightWorker } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDeck, readSlideNumbers, waitForGenerations, waitForTrace } from '../../src/browser';
import { useBuiltDeck } from './built-deck';

const PROMPT = 'The Congress should';
const deck = useBuiltDeck({ webgpu: true });

function engineWorker(page: Page): PlaywrightWorker | undefined {
  return page.workers().find((worker) => /\/assets\/worker-[\w-]+\.js$/.test(worker.url()));
}

describe('a lost WebGPU device', () => {
  it('moves the model to WASM mid-talk, reruns the prompt, and shows the values a WASM run shows', async () => {
    const wasm = await openDeck(deck.browser, deck.server.deckUrl, `?backend=wasm&prompt=${encodeURIComponent(PROMPT)}`);
    await waitForTrace(wasm.page, PROMPT);
    const expected = await readSlideNumbers(wasm.page);
    await wasm.context.close();

    const { context, page, errors, log } = await openDeck(deck.browser, deck.server.deckUrl, `?backend=webgpu&prompt=${encodeURIComponent(PROMPT)}`);
    try {
      await waitForTrace(page, PROMPT);
      const status = page.locator('#deck-status');
      expect(await status.getAttribute('data-backend')).toBe('webgpu');
      await waitForGenerations(page); // nothing in flight: the loss comes through GPUDevice.lost, not a failed run
      const gpuWorker = engineWorker(page)!;
      // The worker keeps the device it watches (browser-loader.ts's watchGpuDevice); destroying it is a loss.
      await expect.poll(() => gpuWorker.evaluate(() => 'liveLlmGpuDevice' in self), { timeout: 30_000 }).toBe(true);
      await gpuWorker.evaluate(() => (self as unknown as { liveLlmGpuDevice: { destroy(): void } }).liveLlmGpuDevice.destroy());

      await expect.poll(() => status.getAttribute('data-backend'), { timeout: 30_000 }).toBe('wasm');
      const notice = status.locator('[data-notice="backend"]');
      expect(await notice.textContent()).toMatch(/^The GPU was lost \(destroyed.*\): running on WASM \(CPU\) now$/);
      expect(await notice.getAttribute('class')).toContain('status-quiet'); // quiet: not a warning for the audience
      await page.waitForFunction(
        () => {
          const badge = document.querySelector<HTMLElement>('#deck-status')!;
          return badge.dataset.phase === 'ready' && badge.dataset.running === 'false' && badge.dataset.precision === 'fp32' && !document.querySelector('[data-live-stale]');
        },
        undefined,
        { timeout: 120_000 },
      );
      await waitForTrace(page, PROMPT);
      expect(engineWorker(page)).not.toBe(gpuWorker); // a fresh worker: the old one's WebGPU state is gone
      expect(await readSlideNumbers(page)).toEqual(expected); // WASM's values, exactly
      expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1); // no reload
      expect(errors.filter((error) => !error.startsWith('worker:'))).toEqual([]); // the lost GPU's worker may log its failure; the page nothing

      // The presenter's speaker view says what happened, under its prompt field.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // S is a key for the deck, not the prompt field
      const speakerViewOpened = context.waitForEvent('page');
      await page.keyboard.press('s');
      const speakerView = await speakerViewOpened;
      await expect.poll(() => speakerView.locator('#speaker-backend').textContent(), { timeout: 30_000 }).toMatch(
        /^Backend: WASM · fp32: \d\d:\d\d:\d\d The GPU was lost \(destroyed.*\): running on WASM \(CPU\) now; the model reloads on WASM and the prompt runs again\. · at the start: WebGPU forced by \?backend=webgpu/,
      );
    } catch (error) {
      console.log(log.join('\n'));
      throw error;
    } finally {
      await context.close();
    }
  }, 480_000); // WebGPU on SwiftShader, then WASM, then the speaker view: minutes on a loaded 2-core machine
});
