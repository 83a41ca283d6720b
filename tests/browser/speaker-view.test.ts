// The speaker view (S) runs one model: its two previews (Reveal's notes plugin loads the deck in
// iframes with ?receiver) start no engine and draw the presenter window's Trace, sent over a
// BroadcastChannel; a prompt typed in the speaker view is run by the presenter's window.
import type { Frame, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDeck, typePrompt, waitForTrace } from '../../src/browser';
import { useBuiltDeck } from './built-deck';

// deck.test resolves here: a plain-http host that is not localhost, as a venue's network serves the deck.
const PLAIN_HTTP_HOST = 'deck.test';
const deck = useBuiltDeck({ webgpu: false, hostAliases: [PLAIN_HTTP_HOST] });

function tokenIds(where: Page | Frame): Promise<number[]> {
  return where.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('section#tokenization .token-row [data-token-id]')]
      .sort((a, b) => Number(a.dataset.tokenIndex) - Number(b.dataset.tokenIndex))
      .map((chip) => Number(chip.dataset.tokenId)),
  );
}

/** Full downloads of the model's weights (transformers.js also asks for one byte to learn the size). */
function modelDownloads(): number {
  const isModel = (path: string) => path.endsWith('onnx/model.onnx');
  return deck.server.requested.filter(isModel).length - deck.server.ranged.filter(isModel).length;
}

/** The deck at `url` + `search` showing `prompt`'s Trace, then its speaker view (S), and the previews' token ids. */
async function openWithSpeakerView(url: string, search: string, prompt: string) {
  const opened = await openDeck(deck.browser, url, search);
  await waitForTrace(opened.page, prompt);
  const speakerViewOpened = opened.context.waitForEvent('page');
  await opened.page.keyboard.press('s');
  const speakerView = await speakerViewOpened;
  speakerView.on('pageerror', (error) => opened.errors.push(`speaker view: ${error.message}`));
  const previews = () => speakerView.frames().filter((frame) => new URL(frame.url()).searchParams.has('receiver'));
  const previewTokenIds = () => Promise.all(previews().map((frame) => tokenIds(frame).catch(() => [])));
  return { ...opened, speakerView, previewTokenIds };
}

describe('the speaker view', () => {
  it('shows the presenter window’s Trace in its previews, loads the model once, and sends its prompts to the presenter’s window', async () => {
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl, '?backend=wasm&prompt=Hello');
    await waitForTrace(page, 'Hello');
    const speakerViewOpened = context.waitForEvent('page');
    await page.keyboard.press('s');
    const speakerView = await speakerViewOpened;
    speakerView.on('pageerror', (error) => errors.push(`speaker view: ${error.message}`));
    speakerView.on('console', (message) => {
      if (message.type() === 'error') errors.push(`speaker view: ${message.text()}`);
    });
    const previews = () => speakerView.frames().filter((frame) => new URL(frame.url()).searchParams.has('receiver'));
    const previewTokenIds = async () => Promise.all(previews().map((frame) => tokenIds(frame).catch(() => [])));

    const helloIds = await tokenIds(page);
    expect(helloIds.length).toBeGreaterThan(0);
    await expect.poll(previewTokenIds, { timeout: 30_000 }).toEqual([helloIds, helloIds]);
    for (const frame of previews()) expect(await frame.inputValue('#title-prompt')).toBe('Hello');
    await expect.poll(() => speakerView.locator('.speaker-controls-notes').textContent(), { timeout: 10_000 }).toContain('"Hello"');
    // The backend and why, for the presenter only (issue 12).
    await expect.poll(() => speakerView.locator('#speaker-backend').textContent(), { timeout: 10_000 }).toBe('Backend: WASM · fp32: WASM forced by ?backend=wasm');
    expect(speakerView.workers()).toEqual([]); // no engine in the previews
    expect(modelDownloads()).toBe(1);

    // A prompt typed in the presenter's window reaches the previews.
    await page.bringToFront();
    await typePrompt(page, 'The people of the union');
    await waitForTrace(page, 'The people of the union');
    const peopleIds = await tokenIds(page);
    expect(peopleIds).not.toEqual(helloIds);
    await expect.poll(previewTokenIds, { timeout: 10_000 }).toEqual([peopleIds, peopleIds]);

    // A prompt typed in the speaker view runs in the presenter's window, and everyone follows it.
    await speakerView.bringToFront();
    const speakerPrompt = speakerView.locator('#speaker-prompt');
    await expect.poll(() => speakerPrompt.inputValue(), { timeout: 10_000 }).toBe('The people of the union');
    await speakerPrompt.fill('The state of the union is strong');
    await speakerPrompt.press('Enter');
    await waitForTrace(page, 'The state of the union is strong');
    expect(await page.inputValue('#title-prompt')).toBe('The state of the union is strong');
    const strongIds = await tokenIds(page);
    await expect.poll(previewTokenIds, { timeout: 10_000 }).toEqual([strongIds, strongIds]);
    expect(await page.locator('section#title').getAttribute('class')).toContain('present'); // typing there moved no slide

    // E in the speaker view opens the current preview's prompt bar: its prompt runs in the presenter's window too.
    await speakerView.keyboard.press('e');
    const current = previews().find((frame) => new URL(frame.url()).searchParams.has('postMessageEvents'))!; // the current slide's
    await expect.poll(() => current.locator('#prompt-bar').isVisible(), { timeout: 10_000 }).toBe(true);
    await current.fill('#prompt-bar-input', 'God bless America');
    await current.press('#prompt-bar-input', 'Enter');
    await waitForTrace(page, 'God bless America');
    const blessIds = await tokenIds(page);
    await expect.poll(previewTokenIds, { timeout: 10_000 }).toEqual([blessIds, blessIds]);

    // One model for the three decks: one download of its weights, and no engine worker in the speaker view.
    expect(modelDownloads()).toBe(1);
    expect(speakerView.workers()).toEqual([]);

    // A second window of the same deck (a backup tab) has its own channel: this speaker view still
    // follows the first window, and its prompts run there only.
    const second = await context.newPage();
    await second.goto(`${deck.server.deckUrl}?backend=wasm&prompt=${encodeURIComponent('A second window')}`);
    await waitForTrace(second, 'A second window');
    await speakerView.bringToFront();
    await speakerPrompt.fill('One nation under God');
    await speakerPrompt.press('Enter');
    await waitForTrace(page, 'One nation under God');
    const nationIds = await tokenIds(page);
    await expect.poll(previewTokenIds, { timeout: 10_000 }).toEqual([nationIds, nationIds]);
    expect(await second.inputValue('#title-prompt')).toBe('A second window');
    expect(await second.locator('#deck-status').getAttribute('data-trace-prompt')).toBe('A second window');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('follows the presenter’s window through a reload: the previews show its new Trace and the speaker view’s prompts run there', async () => {
    const { context, page, errors, speakerView, previewTokenIds } = await openWithSpeakerView(deck.server.deckUrl, '?backend=wasm&prompt=Hello', 'Hello');
    const helloIds = await tokenIds(page);
    await expect.poll(previewTokenIds, { timeout: 30_000 }).toEqual([helloIds, helloIds]);

    // The presenter reloads (a new session, so a new channel) with another prompt.
    const session = await page.evaluate(() => document.documentElement.dataset.liveDeckSession);
    await page.goto(`${deck.server.deckUrl}?backend=wasm&prompt=${encodeURIComponent('The people of the union')}`);
    await waitForTrace(page, 'The people of the union');
    expect(await page.evaluate(() => document.documentElement.dataset.liveDeckSession)).not.toBe(session);
    const peopleIds = await tokenIds(page);
    await expect.poll(previewTokenIds, { timeout: 15_000 }).toEqual([peopleIds, peopleIds]);

    await speakerView.bringToFront();
    const speakerPrompt = speakerView.locator('#speaker-prompt');
    await speakerPrompt.fill('God bless America');
    await speakerPrompt.press('Enter');
    await waitForTrace(page, 'God bless America');
    const blessIds = await tokenIds(page);
    await expect.poll(previewTokenIds, { timeout: 10_000 }).toEqual([blessIds, blessIds]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps the previews following while the presenter’s window makes no frames (hidden behind the speaker view)', async () => {
    const { context, page, errors, speakerView, previewTokenIds } = await openWithSpeakerView(deck.server.deckUrl, '?backend=wasm&prompt=Hello', 'Hello');
    const helloIds = await tokenIds(page);
    await expect.poll(previewTokenIds, { timeout: 30_000 }).toEqual([helloIds, helloIds]);

    // A window the speaker view covers (or a minimised one) is hidden, and a hidden page runs no animation frames:
    // as chromium does then, requestAnimationFrame never calls back.
    await page.evaluate(() => {
      window.requestAnimationFrame = () => 0;
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    });
    await speakerView.bringToFront();
    await speakerView.locator('#speaker-prompt').fill('The people of the union');
    await speakerView.locator('#speaker-prompt').press('Enter');
    await waitForTrace(page, 'The people of the union');
    const peopleIds = await tokenIds(page);
    expect(peopleIds).not.toEqual(helloIds);
    await expect.poll(previewTokenIds, { timeout: 10_000 }).toEqual([peopleIds, peopleIds]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs, speaker view included, from a plain-http host that is not localhost (no secure context)', async () => {
    const url = deck.server.deckUrl.replace('127.0.0.1', PLAIN_HTTP_HOST);
    const { context, page, errors, previewTokenIds } = await openWithSpeakerView(url, '?prompt=Hello', 'Hello');
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false); // crypto.randomUUID() is not there
    expect(await page.locator('#deck-status').textContent()).toContain('No WebGPU on plain http');
    const helloIds = await tokenIds(page);
    expect(helloIds.length).toBeGreaterThan(0);
    await expect.poll(previewTokenIds, { timeout: 30_000 }).toEqual([helloIds, helloIds]);
    expect(errors).toEqual([]);
    await context.close();
  });

  // sotu-gpt has 4 layers and 4 heads: layer 2, head 3 exist.
  it('shows the presenter’s layer and head in the current slide’s preview, and its notes quote them', async () => {
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl, '?backend=wasm&prompt=Hello#/attention');
    await waitForTrace(page, 'Hello');
    const speakerViewOpened = context.waitForEvent('page');
    await page.keyboard.press('s');
    const speakerView = await speakerViewOpened;
    speakerView.on('pageerror', (error) => errors.push(`speaker view: ${error.message}`));
    const currentPreview = () => speakerView.frames().find((frame) => new URL(frame.url()).searchParams.has('postMessageEvents'));
    const previewChoice = async () => {
      const frame = currentPreview();
      if (!frame) return null;
      return frame.evaluate(() => {
        const content = document.querySelector<HTMLElement>('section#attention .slide-content');
        return content?.querySelector('.attention-weights') ? { layer: content.dataset.layer, head: content.dataset.head } : null;
      });
    };
    const notes = () => speakerView.locator('.speaker-controls-notes').textContent();
    await expect.poll(previewChoice, { timeout: 30_000 }).toEqual({ layer: '0', head: '0' });
    await expect.poll(notes, { timeout: 10_000 }).toContain('Layer 0, head 0.');

    // The presenter picks layer 2, head 3 in the presenter's window.
    await page.bringToFront();
    await page.locator('section#attention [aria-label="Layer"] button', { hasText: /^2$/ }).click();
    await page.locator('section#attention [aria-label="Head"] button', { hasText: /^3$/ }).click();
    const onScreen = await page.evaluate(() => {
      const content = document.querySelector<HTMLElement>('section#attention .slide-content')!;
      return { layer: content.dataset.layer, head: content.dataset.head };
    });
    expect(onScreen).toEqual({ layer: '2', head: '3' });

    await expect.poll(previewChoice, { timeout: 10_000 }).toEqual({ layer: '2', head: '3' });
    await expect.poll(notes, { timeout: 10_000 }).toContain('Layer 2, head 3.');
    const presenterNotes = await page.locator('section#attention aside.live-notes').textContent();
    expect(presenterNotes).toContain('Layer 2, head 3.');
    expect(errors).toEqual([]);
    await context.close();
  });
});
