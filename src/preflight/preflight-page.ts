// The preflight page (preflight.html, built next to the deck): the presenter opens it on the venue's
// machine before the talk. It starts the deck's own engine (the same worker, asset URLs and backend
// choice as src/deck/main.ts, with the same `?model=` and `?backend=`) and shows, as a checklist,
// what this machine measures now: backend and why, the WebGPU adapter, the model, load and warm-up
// time, one forward pass for a fixed prompt, generation tokens per second with and without the KV
// cache, cross-origin isolation, CPU threads; then plain-words warnings for anything that would fail
// or be slow on stage. The root's data-state becomes "done" when every check has an answer, and the
// figures are also on the root as data-* attributes (tests/browser/preflight.test.ts reads them).
import './preflight.css';
import { modelRootPath, ortRuntimeUrls } from '../deck/asset-urls';
import { readModelName } from '../deck/url-state';
import { chooseBackend, isSoftwareAdapter } from '../engine/choose-backend';
import { EngineClient, type EngineState } from '../engine/client';
import { loadErrorText } from '../deck/slide-context';
import { adapterSummary, deckLink, MIN_TOKENS_PER_SECOND, preflightWarnings, SLOW_FORWARD_MS, SLOW_LOAD_MS, SLOW_WARM_UP_MS, tokensPerSecond, verdict, withBackend, type AdapterLike } from './checks';

/** The fixed prompt whose forward pass and generation are timed. */
export const PREFLIGHT_PROMPT = 'The Congress should';

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

const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);

async function webgpuAdapter(): Promise<AdapterLike | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter();
  } catch {
    return null;
  }
}

async function start(): Promise<void> {
  const search = window.location.search;
  const modelName = readModelName(search);
  const link = document.querySelector<HTMLAnchorElement>('#preflight-deck-link')!;
  link.href = deckLink(search);
  link.textContent = new URL(deckLink(search), window.location.href).href;
  root.dataset.modelName = modelName;

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
  } else {
    check('adapter', 'WebGPU adapter', 'warn', 'none found in this browser');
  }

  const choice = await chooseBackend(search);
  root.dataset.backend = choice.backend;
  root.dataset.backendReason = choice.reason ?? '';
  // WASM chosen over a software adapter is the right choice, not a warning; WebGPU forced onto one is.
  const backendStatus: Status = choice.backend === 'webgpu' ? (softwareAdapter ? 'warn' : 'ok') : softwareAdapter ? 'ok' : 'warn';
  check('backend', 'Backend', backendStatus, choice.backend === 'webgpu' ? 'WebGPU' : 'WASM', choice.reason ?? '');

  const isolated = self.crossOriginIsolated;
  root.dataset.crossOriginIsolated = String(isolated);
  check(
    'isolation',
    'Cross-origin isolation',
    isolated || choice.backend === 'webgpu' ? 'ok' : 'warn', // threads matter to WASM only
    isolated ? 'yes: WASM may use several threads' : 'no: WASM runs single-threaded',
  );
  const cores = navigator.hardwareConcurrency;
  root.dataset.hardwareConcurrency = String(cores);
  check('cores', 'CPU threads', 'ok', `${cores} (navigator.hardwareConcurrency)`);

  check('model', 'Model', 'pending', `loading ${modelName}…`);
  const engine = new EngineClient(new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module' }));
  let finished = false;
  const show = (state: EngineState) => {
    if (finished) return;
    if (state.phase === 'loading' && state.progress?.fraction != null) {
      check('model', 'Model', 'pending', `loading ${modelName}… ${Math.floor(state.progress.fraction * 100)}%`);
    }
    if (state.phase === 'failed') {
      check('model', 'Model', 'fail', loadErrorText(state));
      finish(state);
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
      check('load', 'Load time', state.loadMs > SLOW_LOAD_MS ? 'warn' : 'ok', ms(state.loadMs));
    }
    if (state.warmUpMs !== null) {
      root.dataset.warmUpMs = String(state.warmUpMs);
      check('warm-up', 'Warm-up pass', state.warmUpMs > SLOW_WARM_UP_MS ? 'warn' : 'ok', ms(state.warmUpMs), `the first pass after loading (compiles and allocates); over ${SLOW_WARM_UP_MS / 1000} s is too slow for a talk`);
    }
    if (state.runError) {
      check('forward', 'Forward pass', 'fail', state.runError);
      finish(state);
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
      `"${PREFLIGHT_PROMPT}", ${state.trace.tokens.length} tokens (whole Trace: ${ms(state.trace.timings.totalMs)})`,
    );
    const generation = state.generation;
    const cached = generation?.cached;
    const uncached = generation?.uncached ?? null;
    const rate = (steps: { ms: number }[]) => tokensPerSecond(steps);
    if (cached) {
      const cachedRate = rate(cached.steps);
      if (cached.done && cachedRate !== null) root.dataset.tokensPerSecond = String(cachedRate);
      check(
        'generation',
        'Generation (KV cache)',
        !cached.done ? 'pending' : cachedRate !== null && cachedRate < MIN_TOKENS_PER_SECOND ? 'warn' : 'ok',
        cachedRate === null ? 'generating…' : `${cachedRate.toFixed(1)} tokens/s`,
        `${cached.steps.length} tokens, greedy${cached.done ? '' : ', still generating'}`,
      );
    } else {
      check('generation', 'Generation (KV cache)', 'pending', 'generating…');
    }
    if (uncached) {
      const uncachedRate = rate(uncached.steps);
      if (uncached.done && uncachedRate !== null) root.dataset.uncachedTokensPerSecond = String(uncachedRate);
      check(
        'generation-uncached',
        'Generation (no cache)',
        uncached.done ? 'ok' : 'pending',
        uncachedRate === null ? 'generating…' : `${uncachedRate.toFixed(1)} tokens/s`,
        `${uncached.steps.length} tokens, recomputing every position at each step`,
      );
    }
    if (cached?.done && uncached?.done) finish(state);
  };

  const finish = (state: EngineState) => {
    finished = true;
    const warnings = preflightWarnings({
      modelName,
      loadError: state.loadError,
      backend: choice.backend,
      webgpuAdapter: adapter !== null,
      softwareAdapter,
      crossOriginIsolated: isolated,
      loadMs: state.loadMs,
      forwardMs: state.trace?.timings.forwardMs ?? null,
      runError: state.phase === 'failed' ? null : state.runError,
      warmUpMs: state.warmUpMs,
      tokensPerSecond: tokensPerSecond(state.generation?.cached.steps ?? []),
      // WebGPU needs an adapter; WASM is always there to compare with.
      otherBackendUrl: choice.backend === 'webgpu' ? withBackend(window.location.href, 'wasm') : adapter ? withBackend(window.location.href, 'webgpu') : null,
    });
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
  };

  engine.subscribe(show);
  engine.setPrompt(PREFLIGHT_PROMPT, { immediate: true });
  engine.load({ modelName, modelRoot: modelRootPath(), ortRuntime: ortRuntimeUrls(), choice });
}

void start();
