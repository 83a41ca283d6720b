// Binning a long vector (e.g. the 8,192 logits) into a histogram with round bin edges: d3-array's
// bin, whose thresholds are the nice ticks of the values' extent.
import { bin, bisector, extent } from 'd3-array';

export interface HistogramBin {
  /** Inclusive lower edge. */
  start: number;
  /** Exclusive upper edge (inclusive for the last bin). */
  end: number;
  count: number;
}

/** Bins the finite values into about `binCount` bins of equal, round width. Non-finite values are skipped. */
export function histogram(values: ArrayLike<number>, binCount = 40): HistogramBin[] {
  const finite = Array.from(values).filter(Number.isFinite); // d3's extent would keep ±Infinity
  const [min, max] = extent(finite);
  if (min === undefined || max === undefined) return [];
  if (min === max) return [{ start: min, end: max, count: finite.length }];
  return bin().thresholds(binCount)(finite).map((b) => ({ start: b.x0!, end: b.x1!, count: b.length }));
}

/** The bin a value falls in (the first or last bin for a value outside them); -1 for no bins. */
export function binIndex(bins: HistogramBin[], value: number): number {
  if (bins.length === 0) return -1;
  return Math.min(bins.length - 1, Math.max(0, bisector((b: HistogramBin) => b.start).right(bins, value) - 1));
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
