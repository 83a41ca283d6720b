// The attention heatmap's colour scale reads in greyscale print (issue 12 item 7): its relative
// luminance rises with the weight, so a black-and-white handout still orders the cells.
import { rgb } from 'd3-color';
import { describe, expect, it } from 'vitest';
import { attentionColourScale } from '../../src/viz/colour-scales';

/** WCAG relative luminance of a CSS colour. */
function luminance(colour: string): number {
  const c = rgb(colour);
  const linear = (v: number) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

describe('attention colours in greyscale', () => {
  it('grow lighter with the weight, from near black to light', () => {
    const scale = attentionColourScale();
    const steps = Array.from({ length: 21 }, (_, i) => luminance(scale(i / 20)));
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1]);
    expect(steps[0]).toBeLessThan(0.05);
    expect(steps[20]).toBeGreaterThan(0.7);
  });
});
