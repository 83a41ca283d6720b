// The deck's registry: every slide module once, in file order, with a unique id and a title.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deckSlides } from '../../slides/index';

describe('slides/index.ts', () => {
  it('lists every numbered slide module once, in the order of its file number', () => {
    const files = readdirSync('slides').filter((file) => /^\d\d[a-z]?-.*\.ts$/.test(file)).sort(); // 01b- sorts after 01-
    expect(deckSlides).toHaveLength(files.length);
    expect(new Set(deckSlides.map((slide) => slide.id)).size).toBe(deckSlides.length);
    deckSlides.forEach((slide, i) => {
      expect(files[i].replace(/^\d\d[a-z]?-/, ''), slide.id).toBe(`${slide.id}.ts`); // slides/NN-<id>.ts or NNb-<id>.ts
      expect(slide.title.length, slide.id).toBeGreaterThan(3);
    });
    expect(deckSlides[0].id).toBe('title');
  });
});
