// Fonts (issue 12 item 9), in headless chromium: token chips drawn by the deck's own view under its
// stylesheet (tests/fixtures/glyph-chips/, served by Vite's dev server) show a character that no font
// draws as its code point, never as an empty box (and a line under the row says so), and draw Greek and Cyrillic with the shipped fonts
// (the font chromium actually used, read over the DevTools protocol: CSS.getPlatformFontsForNode).
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/browser';

let server: ViteDevServer;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  server = await createServer({ configFile: 'vite.config.ts', server: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  await server.listen();
  baseUrl = server.resolvedUrls!.local[0];
  browser = await launchChromium({ webgpu: false });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The fonts chromium used to draw the text of the node at `selector`. */
async function usedFonts(page: Page, selector: string): Promise<{ familyName: string; isCustomFont: boolean; glyphCount: number }[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument');
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  await cdp.detach();
  return fonts;
}

const PRIVATE_USE = '\uE000';
const UNASSIGNED = String.fromCodePoint(0x50000); // plane 5: nothing assigned there
const EMOJI = '🌍';

describe('token chips and glyphs', () => {
  it('shows a character that no font draws as its code point, and draws Greek and Cyrillic in the shipped fonts', async () => {
    const texts = ['Γειά', 'мир', PRIVATE_USE, `a${UNASSIGNED}b`, EMOJI, 'plain'];
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${baseUrl}tests/fixtures/glyph-chips/index.html?texts=${encodeURIComponent(JSON.stringify(texts))}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    const chips = await page.$$eval('.token-chip', (elements) =>
      elements.map((chip) => ({ text: chip.textContent, title: chip.getAttribute('title') ?? '', marks: [...chip.querySelectorAll('.token-no-glyph')].map((m) => m.textContent) })),
    );
    expect(chips).toHaveLength(texts.length);

    // No font has a glyph for a private-use or unassigned code point: the chip says its code point.
    expect(chips[2]).toMatchObject({ text: 'U+E000', marks: ['U+E000'] });
    expect(chips[2].title).toMatch(/no font on this computer draws U\+E000/);
    expect(chips[3]).toMatchObject({ text: 'aU+50000b', marks: ['U+50000'] });
    // Drawn text is left alone.
    for (const index of [0, 1, 5]) expect(chips[index]).toMatchObject({ text: texts[index], marks: [] });

    // The emoji: a code point exactly when chromium finds no font for it (fonts-noto-color-emoji installs one).
    const emojiFonts = await usedFonts(page, '.token-chip:nth-of-type(5)');
    const emojiDrawn = emojiFonts.some((font) => font.glyphCount > 0 && !/Source Sans|Noto Sans Mono/.test(font.familyName));
    expect(chips[4].marks).toEqual(emojiDrawn ? [] : ['U+1F30D']);

    // And the slide says so, under the row: which code points no font draws.
    const note = await page.$eval('.token-row .missing-glyph-note', (element) => element.textContent);
    expect(note).toBe(`U+E000, U+50000${emojiDrawn ? '' : ', U+1F30D'}: no font on this computer draws these characters, so their code points are shown.`);

    // Greek and Cyrillic chips are drawn by the shipped mono font, the title by the shipped sans.
    for (const index of [1, 2]) {
      const fonts = await usedFonts(page, `.token-chip:nth-of-type(${index})`);
      expect(fonts.map((font) => font.familyName)).toEqual(['Noto Sans Mono']);
      expect(fonts[0].isCustomFont).toBe(true);
    }
    const titleFonts = await usedFonts(page, 'h2.live-title');
    expect(titleFonts).toHaveLength(1);
    expect(titleFonts[0].familyName).toMatch(/^Source Sans 3\b/); // the variable font's default instance ("Source Sans 3 ExtraLight"), at the heading's weight
    expect(titleFonts[0].isCustomFont).toBe(true);
    const title = await page.$eval('h2.live-title', (element) => getComputedStyle(element).fontFamily);
    expect(title).toMatch(/^"Source Sans 3 Deck"/);
    // The faces came from the deck's own files (fonts.css), loaded for the scripts in use.
    const loaded = await page.evaluate(() => [...document.fonts].filter((face) => face.status === 'loaded').map((face) => `${face.family} ${face.unicodeRange.slice(0, 9)}`));
    expect(loaded).toEqual(expect.arrayContaining(['Source Sans 3 Deck U+370-377', 'Noto Sans Mono Deck U+370-377', 'Noto Sans Mono Deck U+301, U+']));
    expect(errors).toEqual([]);
    await page.close();
  });
});
