// `npm run bench -- --backend webgpu` checks that the slides show the same numbers on WebGPU as on WASM: the traced
// model loaded alone in a bench page per backend, one runTrace each for the same prompt, every number compared
// (next-token and logit-lens probabilities, layer 1's attention, the final hidden state, the attribution's votes,
// the embedding map), ids required equal.
import type { Browser } from 'playwright-core';
import type { SlideValues } from './bench-page';
import type { BenchBackend } from './bench-settings';

export const BACKEND_TOLERANCE = 1e-3;

export interface BackendComparison {
  tolerance: number;
  parts: { part: string; count: number; maxDifference: number | null }[];
  /** Id lists (top 10, lens top 5s) that differ between the backends. */
  idsDiffering: string[];
  maxDifference: number;
  /** Every value within the tolerance, every id list equal. */
  equal: boolean;
}

/** The largest absolute difference of each part (null when the lengths differ), and whether all agree. */
export function compareValues(reference: SlideValues, other: SlideValues, tolerance = BACKEND_TOLERANCE): BackendComparison {
  const parts = Object.entries(reference.values).map(([part, values]) => {
    const against = other.values[part] ?? [];
    if (against.length !== values.length) return { part, count: values.length, maxDifference: null };
    return { part, count: values.length, maxDifference: values.reduce((worst, value, i) => Math.max(worst, Math.abs(value - against[i])), 0) };
  });
  const idsDiffering = Object.entries(reference.ids).filter(([name, ids]) => (other.ids[name] ?? []).join(',') !== ids.join(',')).map(([name]) => name);
  const maxDifference = Math.max(0, ...parts.map((p) => p.maxDifference ?? Infinity));
  return { tolerance, parts, idsDiffering, maxDifference, equal: idsDiffering.length === 0 && maxDifference <= tolerance };
}

async function slideValuesOn(browser: Browser, deckUrl: string, model: string, prompt: string, backend: BenchBackend): Promise<SlideValues> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${deckUrl}bench.html?backend=${backend}`);
    await page.waitForFunction(() => document.documentElement.dataset.benchReady === 'true', undefined, { timeout: 60_000 });
    await page.evaluate((name) => window.bench.memoryLoad(name, 'traced'), model);
    return await page.evaluate((text) => window.bench.slideValues(text), prompt);
  } finally {
    await context.close();
  }
}

export async function compareBackends(browser: Browser, deckUrl: string, model: string, prompt: string): Promise<BackendComparison> {
  const wasm = await slideValuesOn(browser, deckUrl, model, prompt, 'wasm');
  const webgpu = await slideValuesOn(browser, deckUrl, model, prompt, 'webgpu');
  return compareValues(wasm, webgpu);
}
