// The preflight page (preflight.html, built next to the deck): the presenter opens it on the venue's
// machine before the talk. It starts the deck's own engine (the same worker, asset URLs and backend
// choice as src/deck/main.ts, with the same `?model=` and `?backend=`) and shows, as a checklist,
// what this machine measures now: backend and why, the WebGPU adapter, the model, load and warm-up
// time, one forward pass for a fixed prompt, generation tokens per second with and without the KV
// cache, cross-origin isolation, CPU threads. Where the browser has a WebGPU adapter it then times the
// other backend too (a fresh worker, the same prompt, a short answer), recommends the faster one with
// the deck's exact URL (?backend=), and judges the figures against what a talk needs (checks.ts's
// thresholds, stated on the page); plain-words warnings name anything that would fail or be slow on
// stage, and "All green" shows only without one. The root's data-state becomes "done" when every
// check has an answer, and the figures are also on the root as data-* attributes
// (tests/browser/preflight.test.ts reads them).
import './preflight.css';
import { modelRootPath, ortRuntimeUrls } from '../deck/asset-urls';
import { readModelName } from '../deck/url-state';
import { chooseBackend, isSoftwareAdapter } from '../engine/choose-backend';
import { EngineClient, type EngineState } from '../engine/client';
import type { BackendChoice } from '../engine/choose-backend';
import { loadErrorText } from '../deck/slide-context';
import {
  adapterSummary,
  BACKEND_NAMES,
  deckLink,
  formatMs as ms,
  MIN_TOKENS_PER_SECOND,
  preflightWarnings,
  recommendBackend,
  SLOW_FORWARD_MS,
  SLOW_LOAD_MS,
  SLOW_WARM_UP_MS,
  THRESHOLDS_TEXT,
  tokensPerSecond,
  verdict,
  type AdapterLike,
  type Backend,
  type BackendMeasurement,
} from './checks';

/** The fixed prompt whose forward pass and generation are timed. */
export const PREFLIGHT_PROMPT = 'The Congress should';
/** The other backend's answer is this short: enough for a rate, and a slow adapter still finishes. */
const COMPARISON_TOKENS = 4;
/** A backend that has not answered by then is reported as too slow to compare (and is stopped). */
const COMPARISON_TIMEOUT_MS = 150_000;

type Status = 'pending' | 'ok' | 'warn' | 'fail';

const root = document.querySelector<HTMLElement>('#preflight')!;
const statusLine = document.querySelector<HTMLElement>('#preflight-status')!;
const list = document.querySelector<HTMLElement>('#preflight-checks')!;
const warningsBox = document.querySelector<HTMLElement>('#preflight-warnings')!;

const marks: Record<Status, string> = { pending: '…', ok: '✓', warn: '!', fail: '✗' };

/** One checklist row, created on first use and updated in place. */
function check(name: string, label: string, status: Status, value: string, detail = ''): void {
  let row = list.querySelector<HTMLElement>(`[data-check="${name}"]`);
  if (!row) {
    row = document.createElement('li');
    row.className = 'preflight-check';
    row.dataset.check = name;
    const mark = document.createElement('span');
    mark.className = 'preflight-mark';
    const labelElement = document.createElement('span');
    labelElement.className = 'preflight-label';
    labelElement.textContent = label;
    const valueElement = document.createElement('span');
    valueElement.className = 'preflight-value';
    row.append(mark, labelElement, valueElement);
    list.append(row);
  }
  row.dataset.status = status;
  row.querySelector('.preflight-mark')!.textContent = marks[status];
  const valueElement = row.querySelector<HTMLElement>('.preflight-value')!;
  valueElement.textContent = value;
  if (detail) {
    const small = document.createElement('span');
    small.className = 'preflight-detail';
    small.textContent = detail;
    valueElement.append(small);
  }
}

async function webgpuAdapter(): Promise<AdapterLike | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter();
  } catch {
    return null;
  }
}

interface EngineRun {
  state: EngineState;
  measurement: BackendMeasurement;
}

/** What an engine's state measured for `backend` (an error when it fell back to another backend). */
function measurementOf(backend: Backend, state: EngineState, error: string | null): BackendMeasurement {
  const fellBack = state.backend !== null && state.backend !== backend ? `it fell back to ${BACKEND_NAMES[state.backend]} (${state.backendNotice ?? 'no reason given'})` : null;
  const failed = state.phase === 'failed' ? loadErrorText(state) : state.runError;
  return {
    backend,
    loadMs: state.loadMs,
    warmUpMs: state.warmUpMs,
    forwardMs: state.trace?.timings.forwardMs ?? null,
    tokensPerSecond: tokensPerSecond(state.generation?.cached.steps ?? []),
    error: error ?? fellBack ?? failed ?? null,
  };
}

/**
 * Loads the model on `choice`'s backend in a fresh engine worker, runs the fixed prompt and waits for
 * its answer (both runs, or only the KV-cache one with `comparison`), then stops the worker, so the
 * next measurement has the machine to itself.
 */
function runEngine(choice: BackendChoice, modelName: string, options: { comparison: boolean; onState?: (state: EngineState) => void }): Promise<EngineRun> {
  const worker = new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module' });
  const engine = new EngineClient(worker);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (state: EngineState, error: string | null = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      worker.terminate();
      resolve({ state, measurement: measurementOf(choice.backend, state, error) });
    };
    const timer = setTimeout(() => settle(engine.state, `no answer within ${COMPARISON_TIMEOUT_MS / 1000} s`), options.comparison ? COMPARISON_TIMEOUT_MS : 2 ** 31 - 1);
    const unsubscribe = engine.subscribe((state) => {
      options.onState?.(state);
      if (state.phase === 'failed' || (state.phase === 'ready' && state.runError)) settle(state);
      const generation = state.generation;
      if (generation?.cached.done && (options.comparison || generation.uncached?.done)) settle(state);
    });
    if (options.comparison) engine.setRunOptions({ maxNewTokens: COMPARISON_TOKENS });
    engine.setPrompt(PREFLIGHT_PROMPT, { immediate: true });
    engine.load({ modelName, modelRoot: modelRootPath(), ortRuntime: ortRuntimeUrls(), choice });
  });
}

/** The search string with `?backend=` set (for choosing that backend as the deck would with the link). */
function searchWithBackend(search: string, backend: Backend): string {
  const params = new URLSearchParams(search);
  params.set('backend', backend);
  return `?${params.toString()}`;
}

async function start(): Promise<void> {
  const search = window.location.search;
  const modelName = readModelName(search);
  const link = document.querySelector<HTMLAnchorElement>('#preflight-deck-link')!;
  link.href = deckLink(search);
  link.textContent = new URL(deckLink(search), window.location.href).href;
  root.dataset.modelName = modelName;
  document.querySelector('#preflight-thresholds')!.textContent = THRESHOLDS_TEXT;

  // Facts about the browser, known before the model loads.
  const adapter = await webgpuAdapter();
  const softwareAdapter = isSoftwareAdapter(adapter);
  root.dataset.softwareAdapter = String(softwareAdapter);
  if (adapter) {
    const summary = adapterSummary(adapter);
    root.dataset.adapter = summary.text;
    root.dataset.shaderF16 = String(summary.shaderF16);
    const kind = softwareAdapter ? 'a software fallback (emulated on the CPU, slower than WASM): the deck does not choose it; ' : '';
    check('adapter', 'WebGPU adapter', softwareAdapter ? 'warn' : 'ok', summary.text, `${kind}shader-f16: ${summary.shaderF16 ? 'yes' : 'no'}`);
  } else if (!window.isSecureContext) {
    // Browsers hide navigator.gpu from plain http other than localhost: this machine's GPU may be there all the same.
    check('adapter', 'WebGPU adapter', 'warn', 'hidden: this page is on plain http', 'browsers give WebGPU to https and localhost only: open the deck that way to use a GPU; WASM runs here');
  } else {
    check('adapter', 'WebGPU adapter', 'ok', 'none found in this browser', 'WASM is the only backend here');
  }

  const choice = await chooseBackend(search);
  root.dataset.backend = choice.backend;
  root.dataset.backendReason = choice.reason ?? '';
  // WebGPU forced onto a software adapter is a warning; the measured comparison below judges the rest.
  check('backend', 'Backend', choice.backend === 'webgpu' && softwareAdapter ? 'warn' : 'ok', BACKEND_NAMES[choice.backend], choice.reason ?? '');

  const isolated = self.crossOriginIsolated;
  root.dataset.crossOriginIsolated = String(isolated);
  check('isolation', 'Cross-origin isolation', 'ok', isolated ? 'yes: WASM may use several threads' : 'no: WASM runs single-threaded');
  const cores = navigator.hardwareConcurrency;
  root.dataset.hardwareConcurrency = String(cores);
  check('cores', 'CPU threads', 'ok', `${cores} (navigator.hardwareConcurrency)`);

  check('model', 'Model', 'pending', `loading ${modelName}…`);
  const main = await runEngine(choice, modelName, { comparison: false, onState: show });

  // The other backend, timed the same way, where there is one to compare with (WebGPU needs an adapter).
  const measurements = [main.measurement];
  if (adapter && main.measurement.error === null) {
    const other: Backend = choice.backend === 'webgpu' ? 'wasm' : 'webgpu';
    const label = `${BACKEND_NAMES[other]} (comparison)`;
    check('comparison', label, 'pending', `loading ${modelName} on ${BACKEND_NAMES[other]}…`, `the same prompt, ${COMPARISON_TOKENS} tokens of answer`);
    const otherChoice = await chooseBackend(searchWithBackend(search, other));
    const compared = await runEngine(otherChoice, modelName, { comparison: true });
    const m = compared.measurement;
    measurements.push(m);
    Object.assign(root.dataset, {
      comparisonBackend: other,
      comparisonForwardMs: String(m.forwardMs ?? ''),
      comparisonWarmUpMs: String(m.warmUpMs ?? ''),
      comparisonTokensPerSecond: String(m.tokensPerSecond ?? ''),
    });
    if (m.error !== null) check('comparison', label, 'ok', 'not measured', m.error);
    else
      check(
        'comparison',
        label,
        'ok',
        `forward pass ${ms(m.forwardMs!)}${m.tokensPerSecond !== null ? `, ${m.tokensPerSecond.toFixed(1)} tokens/s` : ''}`,
        `load ${m.loadMs !== null ? ms(m.loadMs) : '?'}, warm-up ${m.warmUpMs !== null ? ms(m.warmUpMs) : '?'}; the same prompt, ${COMPARISON_TOKENS} tokens of answer`,
      );
  }
  finish(main.state, measurements);

  function show(state: EngineState): void {
    if (state.phase === 'loading' && state.progress?.fraction != null) {
      check('model', 'Model', 'pending', `loading ${modelName}… ${Math.floor(state.progress.fraction * 100)}%`);
    }
    if (state.phase === 'failed') {
      check('model', 'Model', 'fail', loadErrorText(state));
      return;
    }
    if (state.phase !== 'ready' || !state.model) return;
    const m = state.model;
    check(
      'model',
      'Model',
      'ok',
      m.name,
      `${m.nLayer} layers, ${m.nHead} heads, width ${m.nEmbd}, vocabulary ${m.vocabSize.toLocaleString('en')}, context ${m.contextLength}` +
        (m.parameterCount !== null ? `, ${m.parameterCount.toLocaleString('en')} parameters` : ''),
    );
    if (state.loadMs !== null) {
      root.dataset.loadMs = String(state.loadMs);
      check('load', 'Load time', state.loadMs > SLOW_LOAD_MS ? 'warn' : 'ok', ms(state.loadMs), `under ${SLOW_LOAD_MS / 1000} s for a talk`);
    }
    if (state.warmUpMs !== null) {
      root.dataset.warmUpMs = String(state.warmUpMs);
      check('warm-up', 'Warm-up pass', state.warmUpMs > SLOW_WARM_UP_MS ? 'warn' : 'ok', ms(state.warmUpMs), `the first pass after loading (compiles and allocates); under ${SLOW_WARM_UP_MS / 1000} s for a talk`);
    }
    if (state.runError) {
      check('forward', 'Forward pass', 'fail', state.runError);
      return;
    }
    if (!state.trace) {
      check('forward', 'Forward pass', 'pending', `running "${PREFLIGHT_PROMPT}"…`);
      return;
    }
    const forwardMs = state.trace.timings.forwardMs;
    root.dataset.forwardMs = String(forwardMs);
    check(
      'forward',
      'Forward pass',
      forwardMs > SLOW_FORWARD_MS ? 'warn' : 'ok',
      ms(forwardMs),
      `"${PREFLIGHT_PROMPT}", ${state.trace.tokens.length} tokens (whole Trace: ${ms(state.trace.timings.totalMs)}); under ${SLOW_FORWARD_MS} ms for a talk`,
    );
    const generation = state.generation;
    const cached = generation?.cached;
    const uncached = generation?.uncached ?? null;
    if (cached) {
      const cachedRate = tokensPerSecond(cached.steps);
      if (cached.done && cachedRate !== null) root.dataset.tokensPerSecond = String(cachedRate);
      check(
        'generation',
        'Generation (KV cache)',
        !cached.done ? 'pending' : cachedRate !== null && cachedRate < MIN_TOKENS_PER_SECOND ? 'warn' : 'ok',
        cachedRate === null ? 'generating…' : `${cachedRate.toFixed(1)} tokens/s`,
        `${cached.steps.length} tokens, greedy${cached.done ? '' : ', still generating'}; ${MIN_TOKENS_PER_SECOND} tokens/s or more for a talk`,
      );
    } else {
      check('generation', 'Generation (KV cache)', 'pending', 'generating…');
    }
    if (uncached) {
      const uncachedRate = tokensPerSecond(uncached.steps);
      if (uncached.done && uncachedRate !== null) root.dataset.uncachedTokensPerSecond = String(uncachedRate);
      check(
        'generation-uncached',
        'Generation (no cache)',
        uncached.done ? 'ok' : 'pending',
        uncachedRate === null ? 'generating…' : `${uncachedRate.toFixed(1)} tokens/s`,
        `${uncached.steps.length} tokens, recomputing every position at each step`,
      );
    }
  }

  function finish(state: EngineState, measured: BackendMeasurement[]): void {
    const recommendation = recommendBackend(measured, softwareAdapter, window.isSecureContext ? undefined : 'the only backend on plain http (WebGPU needs https or localhost)');
    const recommendedUrl = recommendation ? new URL(deckLink(searchWithBackend(search, recommendation.backend)), window.location.href).href : null;
    if (recommendation && recommendedUrl) {
      Object.assign(root.dataset, { recommendedBackend: recommendation.backend, recommendedUrl });
      const inUse = recommendation.backend === choice.backend;
      check('recommendation', 'Recommended', inUse ? 'ok' : 'warn', `${BACKEND_NAMES[recommendation.backend]}: ${recommendedUrl}`, recommendation.reason);
      const row = document.querySelector<HTMLElement>('[data-check="recommendation"] .preflight-value')!;
      const anchor = document.createElement('a');
      anchor.href = recommendedUrl;
      anchor.textContent = recommendedUrl;
      row.firstChild!.textContent = `${BACKEND_NAMES[recommendation.backend]}: `;
      row.insertBefore(anchor, row.firstChild!.nextSibling);
      if (!inUse) check('backend', 'Backend', 'warn', BACKEND_NAMES[choice.backend], `${choice.reason ?? ''}; ${BACKEND_NAMES[recommendation.backend]} measured faster here`);
      // The deck's link at the bottom is the recommended one: the deck as it should be opened here.
      const deckAnchor = document.querySelector<HTMLAnchorElement>('#preflight-deck-link')!;
      deckAnchor.href = deckLink(searchWithBackend(search, recommendation.backend));
      deckAnchor.textContent = recommendedUrl;
    }
    const main = measured[0];
    const warnings = preflightWarnings({
      modelName,
      loadError: state.loadError,
      backend: choice.backend,
      webgpuAdapter: adapter !== null,
      softwareAdapter,
      plainHttp: !window.isSecureContext,
      crossOriginIsolated: isolated,
      loadMs: state.loadMs,
      forwardMs: main.forwardMs,
      runError: state.phase === 'failed' ? null : state.runError,
      warmUpMs: state.warmUpMs,
      tokensPerSecond: main.tokensPerSecond,
      recommendation,
      recommendedUrl,
    });
    if (warnings.some((text) => text.includes('single thread'))) check('isolation', 'Cross-origin isolation', 'warn', 'no: WASM runs single-threaded', 'and WASM is too slow here: threads would help');
    warningsBox.replaceChildren(
      ...warnings.map((text) => {
        const line = document.createElement('p');
        line.className = 'preflight-warning';
        line.textContent = `⚠ ${text}`;
        return line;
      }),
    );
    root.dataset.warnings = String(warnings.length);
    statusLine.textContent = warnings.length === 0 ? 'All checks passed on this machine, just now.' : `Done: ${warnings.length} thing(s) to look at below.`;
    const deckLine = document.querySelector('#preflight-deck');
    if (deckLine?.firstChild?.nodeType === Node.TEXT_NODE) deckLine.firstChild.textContent = `${verdict(warnings.length)} `;
    root.dataset.allGreen = String(warnings.length === 0);
    root.dataset.state = 'done';
  }
}

void start();
