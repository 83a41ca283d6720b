// Pure helpers of the preflight page (preflight.html, src/preflight/preflight-page.ts): the measured
// figures turned into rates, the plain-words warnings for the stage, and the link back to the deck.
// No DOM here, so Node tests them (tests/preflight/checks.test.ts).

/** A forward pass slower than this would make every prompt edit on stage feel sluggish. */
export const SLOW_FORWARD_MS = 500;
/** Loading slower than this keeps the audience waiting before the first live slide. */
export const SLOW_LOAD_MS = 10_000;
/** A first pass slower than this (compiling shaders, allocating) means a long pause after every reload. */
export const SLOW_WARM_UP_MS = 5_000;
/** Under this, an answer appears more slowly than the audience reads it. */
export const MIN_TOKENS_PER_SECOND = 5;

/** Tokens per second over streamed generation steps (each with its wall time), or null without steps. */
export function tokensPerSecond(steps: readonly { ms: number }[]): number | null {
  const totalMs = steps.reduce((sum, step) => sum + step.ms, 0);
  if (steps.length === 0 || !(totalMs > 0)) return null;
  return (steps.length * 1000) / totalMs;
}

/** The thresholds a talk needs, in one line for the page (the numbers above). */
export const THRESHOLDS_TEXT =
  `What a talk needs: loading under ${SLOW_LOAD_MS / 1000} s, a warm-up pass under ${SLOW_WARM_UP_MS / 1000} s, ` +
  `a forward pass under ${SLOW_FORWARD_MS} ms (prompt edits), generation at ${MIN_TOKENS_PER_SECOND} tokens/s or more (answers as fast as the audience reads).`;

export type Backend = 'webgpu' | 'wasm';

export const BACKEND_NAMES: Record<Backend, string> = { webgpu: 'WebGPU', wasm: 'WASM' };

/** 12.3 ms, or 1.23 s from a second up. */
export function formatMs(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

/** One backend timed on this machine with the fixed prompt (the one the deck uses, or the other for comparison). */
export interface BackendMeasurement {
  backend: Backend;
  loadMs: number | null;
  warmUpMs: number | null;
  forwardMs: number | null;
  tokensPerSecond: number | null;
  /** Why it could not be measured (failed to load or run, or took too long), or null. */
  error: string | null;
}

/** The backend to present with, and why (both measured here), or null when neither ran. */
export interface Recommendation {
  backend: Backend;
  reason: string;
}

/**
 * The faster backend by the forward pass for the fixed prompt (the work of every prompt edit; a
 * generation step is one more pass): the one that ran, when only one did.
 */
export function recommendBackend(measured: readonly BackendMeasurement[], softwareAdapter: boolean, onlyBackendWhy = 'the only backend in this browser'): Recommendation | null {
  const ran = measured.filter((m) => m.error === null && m.forwardMs !== null);
  if (ran.length === 0) return null;
  const software = (backend: Backend) => (backend === 'webgpu' && softwareAdapter ? ' (a software adapter)' : '');
  if (ran.length === 1) {
    const [only] = ran;
    const other = measured.find((m) => m.backend !== only.backend);
    const why = other ? `${BACKEND_NAMES[other.backend]}${software(other.backend)} did not run: ${other.error}` : onlyBackendWhy;
    return { backend: only.backend, reason: `${BACKEND_NAMES[only.backend]}: ${why}` };
  }
  const [fast, slow] = [...ran].sort((a, b) => a.forwardMs! - b.forwardMs!);
  const rate = (m: BackendMeasurement) => (m.tokensPerSecond !== null ? `, ${m.tokensPerSecond.toFixed(1)} tokens/s` : '');
  return {
    backend: fast.backend,
    reason:
      `forward pass ${formatMs(fast.forwardMs!)}${rate(fast)} on ${BACKEND_NAMES[fast.backend]}${software(fast.backend)}, ` +
      `${formatMs(slow.forwardMs!)}${rate(slow)} on ${BACKEND_NAMES[slow.backend]}${software(slow.backend)}`,
  };
}

export interface PreflightFacts {
  modelName: string;
  /** Why the model failed to load, with the file when known; null when it loaded (or is still loading). */
  loadError: { message: string; file: string | null } | null;
  backend: Backend | null;
  /** Whether this browser offered a WebGPU adapter at all (whatever backend was forced). */
  webgpuAdapter: boolean;
  /** That adapter is a software fallback (SwiftShader, llvmpipe): slower than WASM, never chosen by itself. */
  softwareAdapter?: boolean;
  /** The page is on plain http other than localhost: browsers hide WebGPU there (not a secure context). */
  plainHttp?: boolean;
  crossOriginIsolated: boolean;
  loadMs: number | null;
  forwardMs: number | null;
  /** Why the fixed prompt produced no Trace, when it did not. */
  runError: string | null;
  /** The warm-up pass and generation with the KV cache, when measured. */
  warmUpMs?: number | null;
  tokensPerSecond?: number | null;
  /** The faster backend of the two measured here, and the deck's exact URL with it (?backend=). */
  recommendation?: Recommendation | null;
  recommendedUrl?: string | null;
}

/** What would fail or be slow on stage, in plain words; empty when all is well. */
export function preflightWarnings(facts: PreflightFacts): string[] {
  const warnings: string[] = [];
  if (facts.loadError) {
    const file = facts.loadError.file ? ` (file: models/${facts.modelName}/${facts.loadError.file})` : '';
    warnings.push(`The model ${facts.modelName} failed to load${file}: ${facts.loadError.message}. The deck will show no live values.`);
  }
  if (facts.runError) warnings.push(`The model could not run the test prompt: ${facts.runError}.`);
  const recommendation = facts.recommendation ?? null;
  const switchTo = recommendation && facts.backend !== null && recommendation.backend !== facts.backend ? recommendation : null;
  if (switchTo) {
    const url = facts.recommendedUrl ? `: open the deck with ${facts.recommendedUrl}` : `: use ?backend=${switchTo.backend}`;
    warnings.push(`${BACKEND_NAMES[switchTo.backend]} is faster on this machine (${switchTo.reason})${url}`);
  } else if (facts.softwareAdapter && facts.backend === 'webgpu') {
    warnings.push("WebGPU's adapter here is a software fallback (emulated on the CPU): WASM is usually much faster; drop ?backend=webgpu or use ?backend=wasm.");
  } else if (facts.softwareAdapter) {
    // WASM is the right choice then, but the GPU is out of the browser's reach: worth knowing before a talk.
    warnings.push(
      "WebGPU's only adapter here is a software fallback (emulated on the CPU): this browser cannot use the GPU, so the deck runs on WASM. " +
        'If this machine has a GPU, check the browser\'s GPU settings (chrome://gpu).',
    );
  }
  if (facts.plainHttp && !facts.webgpuAdapter) {
    warnings.push('This page is on plain http (not localhost): browsers hide WebGPU there, so the deck runs on WASM. To use a GPU, open the deck over https or from localhost.');
  }
  if (facts.loadMs !== null && facts.loadMs > SLOW_LOAD_MS) {
    warnings.push(`Loading took ${(facts.loadMs / 1000).toFixed(1)} s (over ${SLOW_LOAD_MS / 1000} s): open the deck well before the talk.`);
  }
  const slowWarmUp = facts.warmUpMs != null && facts.warmUpMs > SLOW_WARM_UP_MS;
  if (slowWarmUp) {
    warnings.push(`The warm-up pass took ${(facts.warmUpMs! / 1000).toFixed(1)} s (over ${SLOW_WARM_UP_MS / 1000} s): load the deck before the audience arrives and do not reload it.`);
  }
  const slowForward = facts.forwardMs !== null && facts.forwardMs > SLOW_FORWARD_MS;
  if (slowForward) {
    warnings.push(`One forward pass took ${Math.round(facts.forwardMs!)} ms (over ${SLOW_FORWARD_MS} ms): prompt edits will be slow on stage.`);
  }
  const slowGeneration = facts.tokensPerSecond != null && facts.tokensPerSecond < MIN_TOKENS_PER_SECOND;
  if (slowGeneration) {
    warnings.push(`Generation ran at ${facts.tokensPerSecond!.toFixed(1)} tokens/s (under ${MIN_TOKENS_PER_SECOND}): answers will appear more slowly than the audience reads.`);
  }
  // One thread is a problem only where WASM is too slow with it (threads would help there).
  if (!facts.crossOriginIsolated && facts.backend === 'wasm' && (slowWarmUp || slowForward || slowGeneration)) {
    warnings.push('This page is not cross-origin isolated: WASM runs on a single thread (serve with COOP/COEP headers for threads).');
  }
  return warnings;
}

/** What the page says beside the deck's link: "All green" only without a warning. */
export function verdict(warningCount: number): string {
  return warningCount === 0 ? 'All green: open the deck:' : `Not all green (${warningCount} warning${warningCount === 1 ? '' : 's'} above): fix or accept them, then open the deck:`;
}

/** A URL with `?backend=` set to `backend` (everything else kept): the deck's exact link with the recommended backend. */
export function withBackend(href: string, backend: 'wasm' | 'webgpu'): string {
  const url = new URL(href);
  url.searchParams.set('backend', backend);
  return url.href;
}

/** The deck's link relative to the preflight page ("./"), keeping only `?model=` and `?backend=`. */
export function deckLink(search: string): string {
  const from = new URLSearchParams(search);
  const kept = new URLSearchParams();
  for (const key of ['model', 'backend']) {
    const value = from.get(key);
    if (value !== null && value !== '') kept.set(key, value);
  }
  const query = kept.toString();
  return query ? `./?${query}` : './';
}

/** The part of a WebGPU adapter the page shows (navigator.gpu's types are not in TypeScript's DOM library). */
export interface AdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; device?: string };
  features?: { has(name: string): boolean };
}

/** One readable line for an adapter: "vendor · architecture · description", blanks left out. */
export function adapterSummary(adapter: AdapterLike): { text: string; shaderF16: boolean } {
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture, info.description || info.device].filter((part): part is string => !!part && part.trim() !== '');
  return { text: parts.length > 0 ? parts.join(' · ') : 'no details given by the browser', shaderF16: adapter.features?.has('shader-f16') ?? false };
}
