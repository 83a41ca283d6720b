// The conversation on stage, on a random-weight chat model (tests/fixtures/tiny-chat.ts: ChatML, a stop
// id certain at a known step), on WASM and on WebGPU: the template slide shows the special tokens and
// ids the engine computes in Node (the code behind `npm run trace --json`), the answer stops at the
// stop id, a reply runs a second turn that reuses the first turn's cached prefix (the count Node
// predicts), the complete-response slide shows both turns, and the title's model menu switches models.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { generateRun } from '../../src/engine/generate';
import type { LoadedModel } from '../../src/engine/load-model';
import { reusableLength } from '../../src/engine/prefix-reuse';
import { runTrace } from '../../src/engine/run-trace';
import { answerText } from '../../src/maths/generation-summary';
import type { ChatMessage, Trace } from '../../src/trace';
import { TINY_CHAT, TINY_CHAT_PROMPT, TINY_CHAT_STOP_ID, TINY_CHAT_STOP_STEP, writeTinyChatFolder } from '../fixtures/tiny-chat';
import { TINY_LLAMA, writeTinyLlamaFolder } from '../fixtures/tiny-llama';
import { buildDeck, launchChromium, openDeck, serveFolder, waitForTrace, type StaticServer } from '../../src/browser';

const FOLLOW_UP = 'And without butter?';
const modelsFolder = mkdtempSync(join(tmpdir(), 'chat-deck-models-'));
writeTinyChatFolder(modelsFolder);
writeTinyLlamaFolder(modelsFolder);

/** What Node computes for the two turns: the Traces, the first answer, and the prefix the second can reuse. */
interface Expected {
  first: Trace;
  second: Trace;
  history: ChatMessage[];
  reusable: number;
}

let build: Awaited<ReturnType<typeof buildDeck>>;
let server: StaticServer;
let loaded: LoadedModel;
let expected: Expected;

beforeAll(async () => {
  build = await buildDeck(modelsFolder);
  server = await serveFolder(build.dir);
  loaded = await loadModelInNode(join(modelsFolder, TINY_CHAT));
  const first = await runTrace(loaded, { prompt: TINY_CHAT_PROMPT });
  const answer = await generateRun(loaded, first.tokens.map((t) => t.id), { maxNewTokens: 128, keepCache: true });
  const history: ChatMessage[] = [{ role: 'user', content: TINY_CHAT_PROMPT }, { role: 'assistant', content: answerText({ useCache: true, steps: answer.steps, done: true, stoppedBy: answer.stoppedBy }, loaded.stopIds) }];
  const second = await runTrace(loaded, { prompt: FOLLOW_UP, history });
  expected = { first, second, history, reusable: reusableLength(second.tokens.map((t) => t.id), answer.cache!.ids) };
}, 300_000);

afterAll(async () => {
  await server?.close();
  build?.remove();
  await loaded?.model.dispose();
  rmSync(modelsFolder, { recursive: true, force: true });
});

/** The template slide's tokens: id and part, in order. */
function templateRow(page: Page): Promise<{ id: number; part: string }[]> {
  return page.$$eval('section#chat-template .template-row .template-token', (tokens) => tokens.map((t) => ({ id: Number((t as HTMLElement).dataset.tokenId), part: (t as HTMLElement).dataset.part ?? '' })));
}

/** Waits until the complete-response slide's answer has finished (and the KV-cache slide has its comparison). */
async function waitForAnswer(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const chat = document.querySelector<HTMLElement>('section#complete-response .complete-response-chat');
    const kv = document.querySelector<HTMLElement>('section#kv-cache .kv-cache-body');
    return !!chat && chat.dataset.stop !== undefined && chat.dataset.stop !== 'generating' && kv?.dataset.compared !== undefined;
  }, undefined, { timeout: 120_000 });
}

describe.each([{ backend: 'wasm' }, { backend: 'webgpu' }])('the conversation on a chat model ($backend)', ({ backend }) => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium({ webgpu: backend === 'webgpu' });
  });
  afterAll(async () => browser?.close());

  it('shows the template’s special tokens and ids, stops at the stop id, and a reply reuses the cached prefix', async () => {
    const { context, page, errors } = await openDeck(browser, server.deckUrl, `?backend=${backend}&model=${TINY_CHAT}&prompt=${encodeURIComponent(TINY_CHAT_PROMPT)}`);
    await waitForTrace(page, TINY_CHAT_PROMPT);

    // Turn 1: the template slide draws the templated ids Node computes, special tokens marked with their ids.
    const { first, second } = expected;
    const row = await templateRow(page);
    expect(row.map((t) => t.id)).toEqual(first.tokens.map((t) => t.id));
    expect(row.filter((t) => t.part === 'special').map((t) => t.id)).toEqual(first.tokens.filter((t) => t.special).map((t) => t.id));
    const body = page.locator('section#chat-template .chat-template-body');
    expect(await body.getAttribute('data-template')).toBe('model');
    expect(await body.getAttribute('data-user-tokens')).toBe(String(row.filter((t) => t.part === 'user').length));
    expect(row.filter((t) => t.part === 'user').length).toBeGreaterThan(0);

    // The answer stops at the stop id, at the fixture's known step.
    await waitForAnswer(page);
    const chat = page.locator('section#complete-response .complete-response-chat');
    expect(await chat.getAttribute('data-stop')).toBe('eos');
    expect(await chat.getAttribute('data-stop-id')).toBe(String(TINY_CHAT_STOP_ID));
    expect(await chat.getAttribute('data-generated')).toBe(String(TINY_CHAT_STOP_STEP + 1));
    expect(await page.locator('section#complete-response .chat-bubble-assistant .chat-bubble-text').textContent()).toContain(expected.history[1].content);

    // Turn 2: Reply on the last slide; the template re-renders the conversation, and the cache serves its prefix.
    await page.evaluate(() => (window.location.hash = '#/complete-response'));
    await page.locator('section#complete-response textarea.chat-reply-field').fill(FOLLOW_UP);
    await page.locator('section#complete-response textarea.chat-reply-field').press('Enter');
    await waitForTrace(page, FOLLOW_UP);
    expect(new URL(page.url()).hash).toBe('#/complete-response'); // the Enter went to the field, not to Reveal
    expect((await templateRow(page)).map((t) => t.id)).toEqual(second.tokens.map((t) => t.id));
    await waitForAnswer(page);
    const reuse = page.locator('section#kv-cache .kv-prefix-reuse');
    expect(await reuse.getAttribute('data-cached-tokens')).toBe(String(expected.reusable));
    expect(expected.reusable).toBeGreaterThanOrEqual(first.tokens.length); // the whole first turn's input, at least
    expect(await reuse.getAttribute('data-input-tokens')).toBe(String(second.tokens.length));
    expect(await reuse.getAttribute('data-same-first-token')).toBe('true');
    expect(await page.locator('section#kv-cache .kv-prefix-sentence').textContent()).toContain(`${expected.reusable} of ${second.tokens.length} input tokens were already in the cache`);

    // The complete response shows both turns.
    expect(await chat.getAttribute('data-turns')).toBe('2');
    const bubbles = await page.$$eval('section#complete-response .chat-bubble', (all) => all.map((b) => ({ role: (b as HTMLElement).dataset.role, text: b.querySelector('.chat-bubble-text')?.textContent ?? '' })));
    expect(bubbles.map((b) => b.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(bubbles[0].text).toBe(TINY_CHAT_PROMPT);
    expect(bubbles[2].text).toBe(FOLLOW_UP);
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  if (backend === 'wasm') {
    it('takes ?max-new-tokens=, a system message from its field (kept in the URL), and samples reproducibly by seed', async () => {
      const { context, page, errors } = await openDeck(browser, server.deckUrl, `?backend=wasm&model=${TINY_CHAT}&max-new-tokens=2&prompt=${encodeURIComponent(TINY_CHAT_PROMPT)}`);
      await waitForTrace(page, TINY_CHAT_PROMPT);
      await waitForAnswer(page);
      const chat = page.locator('section#complete-response .complete-response-chat');
      expect(await chat.getAttribute('data-stop')).toBe('limit'); // 2 tokens, before the stop id at step 4
      expect(await chat.getAttribute('data-generated')).toBe('2');

      await page.evaluate(() => (window.location.hash = '#/chat-template'));
      await page.locator('section#chat-template input.chat-system-field').fill('You are a baker.');
      await page.locator('section#chat-template input.chat-system-field').press('Enter');
      await page.waitForFunction(() => document.querySelector('section#chat-template .template-token[data-part="system"]') !== null);
      expect(new URL(page.url()).searchParams.get('system')).toBe('You are a baker.');
      expect(new URL(page.url()).hash).toBe('#/chat-template');
      const withSystem = await runTrace(loaded, { prompt: TINY_CHAT_PROMPT, system: 'You are a baker.' });
      expect((await templateRow(page)).map((t) => t.id)).toEqual(withSystem.tokens.map((t) => t.id));

      // Sampling with the sampling slide's settings and a shown seed: the same seed gives the same answer.
      await page.evaluate(() => (window.location.hash = '#/complete-response'));
      /** Clicks `action` and waits for the answer it asks for (sampled or not; a seed other than `oldSeed`). */
      const answerFor = async (action: string, sampled: boolean, oldSeed = ''): Promise<{ seed: string | null; text: string | null }> => {
        await page.locator(`section#complete-response [data-action="${action}"]`).click();
        await page.waitForFunction(([want, old]) => {
          const shown = document.querySelector<HTMLElement>('section#complete-response .complete-response-chat');
          return shown?.dataset.sampled === want && shown.dataset.seed !== old && shown.dataset.stop !== undefined && shown.dataset.stop !== 'generating';
        }, [String(sampled), oldSeed], { timeout: 60_000 });
        return { seed: await chat.getAttribute('data-seed'), text: await page.locator('section#complete-response .chat-bubble-assistant .chat-bubble-text').textContent() };
      };
      const first = await answerFor('sample', true);
      expect(first.seed).toBe('42');
      await answerFor('greedy', false);
      expect(await answerFor('sample', true)).toEqual(first);
      const reseeded = await answerFor('new-seed', true, '42');
      expect(reseeded.seed).not.toBe('42');
      expect(await page.locator('section#complete-response .complete-response-speed').textContent()).toContain(`seed ${reseeded.seed}`);
      expect(errors).toEqual([]);
      await context.close();
    }, 300_000);

    it('switches models from the title slide’s menu, keeping the prompt', async () => {
      const { context, page, errors } = await openDeck(browser, server.deckUrl, `?backend=wasm&model=${TINY_CHAT}&prompt=${encodeURIComponent(TINY_CHAT_PROMPT)}`);
      await waitForTrace(page, TINY_CHAT_PROMPT);
      const menu = page.locator('section#title select[data-model-menu]');
      await expect.poll(() => menu.locator('option').count()).toBe(2);
      expect(await menu.inputValue()).toBe(TINY_CHAT);
      expect(await menu.locator('option').allTextContents()).toEqual([expect.stringMatching(/^tiny-chat · Llama · .* · fp32 · chat model$/), expect.stringMatching(/^tiny-llama · Llama · .* · fp32 · base model$/)]);
      await menu.selectOption(TINY_LLAMA);
      await page.waitForURL((url) => url.searchParams.get('model') === TINY_LLAMA);
      await waitForTrace(page, TINY_CHAT_PROMPT);
      expect(await page.locator('section#title [data-title-model]').textContent()).toContain(`Model ${TINY_LLAMA}`);
      expect(await page.locator('section#chat-template .chat-template-body').getAttribute('data-template')).toBe('none');
      expect(errors).toEqual([]);
      await context.close();
    }, 300_000);
  }
});
