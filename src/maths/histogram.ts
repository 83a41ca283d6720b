// Binning a long vector (e.g. the 8,192 logits) into a histogram with round bin edges.
// The edges come from d3-scale's nice ticks; the counting loop is written by hand (a few lines).
import { scaleLinear } from 'd3-scale';

export interface HistogramBin {
  /** Inclusive lower edge. */
  start: number;
  /** Exclusive upper edge (inclusive for the last bin). */
  end: number;
  count: number;
}

/** Bins the finite values into about `binCount` bins of equal, round width. Non-finite values are skipped. */
export function histogram(values: ArrayLike<number>, binCount = 40): HistogramBin[] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return [];
  if (min === max) return [{ start: min, end: max, count: countFinite(values) }];
  const scale = scaleLinear().domain([min, max]).nice(binCount);
  const edges = scale.ticks(binCount);
  const [low, high] = scale.domain();
  if (edges[0] > low) edges.unshift(low);
  if (edges[edges.length - 1] < high) edges.push(high);
  const bins: HistogramBin[] = [];
  for (let b = 0; b + 1 < edges.length; b++) bins.push({ start: edges[b], end: edges[b + 1], count: 0 });
  const width = edges[1] - edges[0];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    bins[binIndex(bins, v, width)].count++;
  }
  return bins;
}

/** The bin a value falls in: a first guess from the (equal) width, corrected for rounding at the edges. */
export function binIndex(bins: HistogramBin[], value: number, width = bins.length > 0 ? bins[0].end - bins[0].start : 0): number {
  if (bins.length === 0) return -1;
  let index = width > 0 ? Math.floor((value - bins[0].start) / width) : 0;
  index = Math.min(bins.length - 1, Math.max(0, index));
  while (index > 0 && value < bins[index].start) index--;
  while (index < bins.length - 1 && value >= bins[index].end) index++;
  return index;
}

function countFinite(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) count++;
  return count;
}

/**
 * The bulk of a histogram: grows a run of bins from the fullest one, each step taking the fuller
 * neighbour, until it holds at least `fraction` of all counts. Null for no bins.
 */
export function centralRange(bins: HistogramBin[], fraction: number): { start: number; end: number } | null {
  if (bins.length === 0) return null;
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  let low = bins.reduce((best, bin, index) => (bin.count > bins[best].count ? index : best), 0);
  let high = low;
  let held = bins[low].count;
  while (held < fraction * total && (low > 0 || high < bins.length - 1)) {
    const left = low > 0 ? bins[low - 1].count : -1;
    const right = high < bins.length - 1 ? bins[high + 1].count : -1;
    if (left >= right) held += bins[--low].count;
    else held += bins[++high].count;
  }
  return { start: bins[low].start, end: bins[high].end };
}
