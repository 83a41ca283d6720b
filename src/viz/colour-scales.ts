// Colour scales: from d3-scale-chromatic (no hand-rolled colour maths), chosen for projectors and
// for colour-blind viewers.
import { scaleSequentialSqrt } from 'd3-scale';
import { interpolateViridis } from 'd3-scale-chromatic';

/**
 * Token chip fills: the Okabe–Ito palette (Okabe & Ito 2008), designed to stay distinguishable under
 * protanopia, deuteranopia and tritanopia, unlike schemeTableau10/schemeCategory10 whose reds and
 * greens merge. Black is left out (it is the text colour); each fill is paired with the text colour
 * that contrasts best with it (WCAG ratio >= 4.5 for all seven).
 */
export const TOKEN_CHIP_COLOURS: readonly { fill: string; text: string }[] = [
  { fill: '#E69F00', text: '#000000' }, // orange
  { fill: '#56B4E9', text: '#000000' }, // sky blue
  { fill: '#009E73', text: '#000000' }, // bluish green
  { fill: '#F0E442', text: '#000000' }, // yellow
  { fill: '#0072B2', text: '#FFFFFF' }, // blue: too dark for black text
  { fill: '#D55E00', text: '#000000' }, // vermillion
  { fill: '#CC79A7', text: '#000000' }, // reddish purple
];

/** Neighbouring tokens always get different colours; the colour itself carries no meaning. */
export function tokenChipColour(index: number): { fill: string; text: string } {
  const count = TOKEN_CHIP_COLOURS.length;
  return TOKEN_CHIP_COLOURS[((index % count) + count) % count];
}

/**
 * Attention weight -> colour: viridis (perceptually uniform, readable in greyscale print and for
 * colour-blind viewers). Square-root domain so that the small weights of long prompts are not all one
 * dark purple; the legend shows where each value sits, so the mapping stays honest.
 */
export function attentionColourScale() {
  return scaleSequentialSqrt(interpolateViridis).domain([0, 1]).clamp(true);
}

/** The values the attention legend labels. */
export const ATTENTION_LEGEND_TICKS: readonly number[] = [0, 0.05, 0.25, 0.5, 1];
