// The engine's memory with the traced model ÷ with the plain one (issue 13's memoryRatio). Each model alone in a
// fresh page of the bench (bench.html), loaded and run on the page's thread by the engine's own code (loadModel,
// runTrace and the deck's generate for the traced model; a forward pass and transformers.js's generate for the
// plain one), sampled after the load and after every run:
//   - the JavaScript heap and the ArrayBuffers' backing stores (typed arrays, the Trace's tensors, any copy of the
//     weights) from the DevTools protocol's Runtime.getHeapUsage (usedSize + backingStorageSize), for the page's
//     own isolate: no cross-origin isolation needed, unlike performance.measureUserAgentSpecificMemory;
//   - onnxruntime's WebAssembly memory, from the WebAssembly.Memory objects its module exports or imports (caught
//     by wrapping WebAssembly.instantiate before the page's scripts run): its buffer only grows, so its last size
//     is its peak. Not counted twice when the backing-store figure already includes it (see memoryOf).
// On WebGPU the GPU's own buffers (weights, cache) are not in these figures. The peak is the largest sample. Why a page and not the deck's
// worker: the worker's heap can be read (the soak does, src/browser/soak-metrics.ts), but no init script runs in a
// worker, so its WebAssembly memory (most of the total, and not in backingStorageSize) could not be caught there;
// the worker runs this same engine code (src/engine/browser-loader.ts adds its loader).
import type { Browser, CDPSession } from 'playwright-core';
import type { BenchBackend, BenchModel } from './bench-settings';
import { log } from './bench-settings';

/** Runs in the page before its scripts: keeps every WebAssembly.Memory a module exports or is given. */
const WASM_MEMORY_PROBE = `(() => {
  const memories = new Set();
  const note = (instance, imports) => {
    for (const value of Object.values((instance && instance.exports) || {})) if (value instanceof WebAssembly.Memory) memories.add(value);
    for (const module of Object.values(imports || {})) for (const value of Object.values(module || {})) if (value instanceof WebAssembly.Memory) memories.add(value);
  };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async function (source, imports) {
    const result = await instantiate.call(this, source, imports);
    note(result.instance || result, imports);
    return result;
  };
  const streaming = WebAssembly.instantiateStreaming;
  if (streaming) WebAssembly.instantiateStreaming = async function (source, imports) {
    const result = await streaming.call(this, source, imports);
    note(result.instance, imports);
    return result;
  };
  globalThis.__wasmMemoryBytes = () => [...memories].reduce((sum, memory) => sum + memory.buffer.byteLength, 0);
})();`;

export interface MemorySample {
  step: string;
  jsHeapUsedBytes: number;
  /** ArrayBuffer backing stores (Runtime.getHeapUsage's backingStorageSize); null when this chromium does not report it. */
  backingStoreBytes: number | null;
  wasmMemoryBytes: number;
  /** What the ratio compares: heap + backing stores (WASM memory included in them), or heap + WASM memory without that figure. */
  totalBytes: number;
}

export interface ModelMemory {
  name: string;
  samples: MemorySample[];
  peakBytes: number;
  /** Whether the backing-store figure already held the WASM memory (backing stores ≥ WASM memory at every sample). */
  backingStoresIncludeWasm: boolean | null;
}

export interface MemoryResults {
  traced: ModelMemory;
  plain: ModelMemory;
  /** traced peak ÷ plain peak (goal ≤ 1.3). */
  ratio: number;
}

interface HeapUsage {
  usedSize: number;
  totalSize: number;
  backingStorageSize?: number;
}

async function sampleOf(cdp: CDPSession, page: import('playwright-core').Page, step: string): Promise<Omit<MemorySample, 'totalBytes'>> {
  const usage = (await cdp.send('Runtime.getHeapUsage')) as HeapUsage;
  const wasmMemoryBytes = await page.evaluate(() => (globalThis as unknown as { __wasmMemoryBytes?: () => number }).__wasmMemoryBytes?.() ?? 0);
  return { step, jsHeapUsedBytes: usage.usedSize, backingStoreBytes: usage.backingStorageSize ?? null, wasmMemoryBytes };
}

/** heap + backing stores when the backing stores hold the WASM memory, else heap + backing stores + WASM memory (or heap + WASM memory). */
export function memoryOf(samples: Omit<MemorySample, 'totalBytes'>[]): { samples: MemorySample[]; backingStoresIncludeWasm: boolean | null } {
  const reported = samples.every((s) => s.backingStoreBytes !== null);
  const includesWasm = reported ? samples.every((s) => s.backingStoreBytes! >= s.wasmMemoryBytes) : null;
  return {
    backingStoresIncludeWasm: includesWasm,
    samples: samples.map((s) => ({
      ...s,
      totalBytes: s.jsHeapUsedBytes + (s.backingStoreBytes ?? 0) + (includesWasm ? 0 : s.wasmMemoryBytes),
    })),
  };
}

async function measureOne(browser: Browser, deckUrl: string, name: string, kind: 'traced' | 'plain', ids: number[], prompt: string, newTokens: number, backend: BenchBackend): Promise<ModelMemory> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(WASM_MEMORY_PROBE);
    await page.goto(`${deckUrl}bench.html?backend=${backend}`);
    await page.waitForFunction(() => document.documentElement.dataset.benchReady === 'true', undefined, { timeout: 60_000 });
    const cdp = await context.newCDPSession(page);
    const raw = [await sampleOf(cdp, page, 'page ready')];
    await page.evaluate((a) => window.bench.memoryLoad(a.name, a.kind), { name, kind });
    raw.push(await sampleOf(cdp, page, 'model loaded'));
    for (let run = 1; run <= 2; run++) {
      await page.evaluate((a) => window.bench.memoryRun(a.ids, a.prompt, 0), { ids, prompt });
      raw.push(await sampleOf(cdp, page, `forward pass ${run}${kind === 'traced' ? ' (runTrace)' : ''}`));
    }
    await page.evaluate((a) => window.bench.memoryRun(a.ids, a.prompt, a.newTokens), { ids, prompt, newTokens });
    raw.push(await sampleOf(cdp, page, `forward pass and ${newTokens} generated tokens`));
    const { samples, backingStoresIncludeWasm } = memoryOf(raw);
    return { name, samples, peakBytes: Math.max(...samples.map((s) => s.totalBytes)), backingStoresIncludeWasm };
  } finally {
    await context.close();
  }
}

export async function measureMemory(browser: Browser, deckUrl: string, model: BenchModel, ids: number[], prompt: string, newTokens: number, backend: BenchBackend = 'wasm'): Promise<MemoryResults> {
  const traced = await measureOne(browser, deckUrl, model.traced, 'traced', ids, prompt, newTokens, backend);
  const plain = await measureOne(browser, deckUrl, model.plain, 'plain', ids, prompt, newTokens, backend);
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  log(`memory, ${model.traced}: traced peak ${mib(traced.peakBytes)}, plain ${mib(plain.peakBytes)}`);
  return { traced, plain, ratio: Math.round((traced.peakBytes / plain.peakBytes) * 100) / 100 };
}
