// A link reproduces what is on screen: `?view=` opens the attention slide on the layer, head and
// token it names (sotu-gpt: 4 layers, 4 heads), values out of range are clamped without an error,
// and a click on the slide writes its choice back into the URL.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDeck, waitForTrace } from '../../src/browser';
import { useBuiltDeck } from './built-deck';

const deck = useBuiltDeck({ webgpu: false });
const PROMPT = 'The Congress shall have power';

function attentionShown(page: Page): Promise<{ layer?: string; head?: string; query?: string; present: boolean; notes: string }> {
  return page.evaluate(() => {
    const section = document.querySelector<HTMLElement>('section#attention')!;
    const content = section.querySelector<HTMLElement>('.slide-content')!;
    return {
      layer: content.dataset.layer,
      head: content.dataset.head,
      query: content.dataset.query,
      present: section.classList.contains('present'),
      notes: section.querySelector('aside.live-notes')?.textContent ?? '',
    };
  });
}

describe('view state in the URL', () => {
  it('opens the attention slide on the layer, head and token of the link, and writes a new choice back', async () => {
    const search = `?backend=wasm&prompt=${encodeURIComponent(PROMPT)}&view=attention:layer=2,head=3,query=1#/attention`;
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl, search);
    await waitForTrace(page, PROMPT);
    const shown = await attentionShown(page);
    expect(shown).toMatchObject({ layer: '2', head: '3', query: '1', present: true });
    expect(shown.notes).toMatch(/^Layer 2, head 3\. Token "[^"]+" \(2 of \d+\)/);
    expect(await page.locator('section#attention [aria-label="Head"] [aria-pressed="true"]').textContent()).toBe('3');

    // A click writes the view into the URL: a link made now reproduces it.
    await page.locator('section#attention [aria-label="Layer"] button', { hasText: /^1$/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.getAll('view'), { timeout: 5_000 }).toEqual(['attention:layer=1,head=3,query=1']);
    expect(page.url()).toContain('view=attention:layer=1,head=3,query=1');
    expect(new URL(page.url()).searchParams.get('prompt')).toBe(PROMPT);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('clamps values out of the model’s range, and drops what it cannot read, without an error', async () => {
    const search = `?backend=wasm&prompt=${encodeURIComponent(PROMPT)}&view=attention:layer=99,head=-4,query=500,colour=red&view=nonsense:x=1#/attention`;
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl, search);
    await waitForTrace(page, PROMPT);
    const tokens = await page.locator('section#tokenization .token-row [data-token-id]').count();
    expect(await attentionShown(page)).toMatchObject({ layer: '3', head: '0', query: String(tokens - 1), present: true });
    expect(await page.locator('section#attention .slide-failed').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps a slider being dragged (the slide is not rebuilt under it) and writes its setting into the URL', async () => {
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl, `?backend=wasm&prompt=${encodeURIComponent(PROMPT)}#/sampling`);
    await waitForTrace(page, PROMPT);
    const kept = await page.evaluate(() => {
      const slider = document.querySelector<HTMLInputElement>('section#sampling input[data-setting="temperature"]')!;
      slider.value = '1.5';
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      const now = document.querySelector<HTMLInputElement>('section#sampling input[data-setting="temperature"]')!;
      return { same: now === slider, value: now.value, shown: document.querySelector<HTMLElement>('section#sampling .sampling-body')!.dataset.temperature };
    });
    expect(kept).toEqual({ same: true, value: '1.5', shown: '1.5' });
    await expect.poll(() => new URL(page.url()).searchParams.getAll('view'), { timeout: 5_000 }).toEqual(['sampling:temperature=1.5']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
