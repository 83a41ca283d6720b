// The README's plugin section stays true: its example deck is the fixture the browser test builds
// (tests/browser/own-deck.test.ts), and its slide table names every data-live id the plugin knows.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deckSlides } from '../../slides/index';

const readme = readFileSync('README.md', 'utf8');

describe('the README on live slides in your own deck', () => {
  it('shows the tested fixture deck, verbatim', () => {
    const section = readme.slice(readme.indexOf('## Live slides in your own Reveal.js deck'));
    const example = /```html\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(example).toBe(readFileSync('tests/fixtures/own-deck/index.html', 'utf8').trimEnd());
  });

  it('lists every slide id, in deck order', () => {
    const ids = Array.from(readme.matchAll(/^\| \d+ \| [^|]*\(`([a-z-]+)`\) \|/gm), (match) => match[1]);
    expect(ids).toEqual(deckSlides.map((slide) => slide.id));
  });
});
