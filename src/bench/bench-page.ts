// The bench page (bench.html, built next to the deck): `npm run bench` (src/cli/bench.ts) opens it in
// the same chromium, on the same WASM backend and runtime files as the deck, and calls the functions
// below through page.evaluate. It loads the deck's traced model and the same weights converted
// without the trace outputs ("plain"), and times, on the page's own thread:
//   - a raw forward pass, `await model({ input_ids, attention_mask })`, of each model;
//   - the traced pass with and without the logit lens (the deck's worker leaves it to the answer);
//   - the deck's runTrace (forward pass + collecting the Trace) on the traced model, as the worker runs it;
//   - generation: the deck's generate() loop (traced model, KV cache, greedy; the lens after it, or in its first
//     step) and transformers.js's model.generate() (greedy) on each model, interleaved in a shuffled order.
import { env, Tensor } from '@huggingface/transformers';
import { shuffler } from 'd3-array';
import { seededRandom } from '../maths/sampling';
import { modelRootPath, ortRuntimeUrls } from '../deck/asset-urls';
import { generate, generateRun } from '../engine/generate';
import { promptLens } from '../engine/prompt-lens';
import { disposeGpuTensors, type KvCache } from '../engine/kv-cache';
import { knockOutFeeds } from '../engine/knock-out';
import { feedThroughGenerate, traceSwitchFeeds } from '../engine/trace-switch';
import { loadModel, type LoadedModel } from '../engine/load-model';
import { runTrace, tracedPassModel } from '../engine/run-trace';
import { finalNormOutput, layerOutput } from '../trace/output-names';

export interface LoadResult {
  traced: { name: string; loadMs: number; outputs: number };
  plain: { name: string; loadMs: number; outputs: number };
  /** Whether onnxruntime could use threads (needs cross-origin isolation; the deck's server gives none). */
  crossOriginIsolated: boolean;
  numThreads: number | undefined;
}

export interface ForwardTimes {
  tokens: number;
  /** Milliseconds per repetition, in the order run (plain, traced and runTrace interleaved). */
  plainMs: number[];
  /** The traced pass as the deck's worker runs it: the logit lens left to the answer. */
  tracedMs: number[];
  /** The traced pass with the lens (how every edit ran before the lens moved to the answer's first step). */
  tracedWithLensMs: number[];
  runTraceMs: number[];
  /** runTrace's own split: its forward pass, and collecting the Trace from the outputs. */
  runTraceForwardMs: number[];
  runTraceCollectMs: number[];
  /** Largest |logit difference| between the two models on these tokens (same weights: should be ~0). */
  maxLogitDifference: number;
}

export interface GenerationTimes {
  promptTokens: number;
  maxNewTokens: number;
  /** One entry per repetition: wall time and how many tokens it produced. */
  runs: { ms: number; newTokens: number }[];
  /** The tokens of the last repetition. */
  ids: number[];
}

export interface GenerationResults {
  /** The deck's answer while no slide shows the logit lens: the lens comes after it (lensAfterAnswerMs). */
  deck: GenerationTimes;
  /** The deck's answer while the lens's slide is on screen: its first step computes the lens. */
  deckLensInFirstStep: GenerationTimes;
  /** The lens after `deck`'s answer: one step against the answer's cache (src/engine/prompt-lens.ts), ms per run. */
  lensAfterAnswerMs: number[];
  /** The deck's loop asking the session for every output, trace outputs included (before the lean steps). */
  deckEveryOutput: GenerationTimes;
  plain: GenerationTimes;
  /** An error when transformers.js's generate() cannot drive the traced graph. */
  traced: GenerationTimes | { error: string };
}

/** Numbers the slides show, by what they are; ids kept apart (they must be equal, not close). */
export interface SlideValues {
  ids: Record<string, number[]>;
  values: Record<string, number[]>;
}

export interface BenchApi {
  load(names: { traced: string; plain: string }): Promise<LoadResult>;
  forward(ids: number[], prompt: string, warmUps: number, reps: number): Promise<ForwardTimes>;
  /** The deck's generate() on the traced model, and model.generate() on the plain and the traced model. */
  generation(ids: number[], maxNewTokens: number, warmUps: number, reps: number): Promise<GenerationResults>;
  /** For the memory figure (src/bench/measure-memory.ts): one model alone in this page, loaded as the engine loads it... */
  memoryLoad(name: string, kind: 'traced' | 'plain'): Promise<void>;
  /** ...and run as the deck runs it (traced: runTrace, then the deck's generate) or plainly (a forward pass, then model.generate). */
  memoryRun(ids: number[], prompt: string, newTokens: number): Promise<void>;
  /** The numbers the slides show for `prompt` on the model memoryLoad loaded (traced), to compare backends. */
  slideValues(prompt: string): Promise<SlideValues>;
}

declare global {
  interface Window {
    bench: BenchApi;
  }
}

let traced: LoadedModel | null = null;
let plain: LoadedModel | null = null;

function models(): { traced: LoadedModel; plain: LoadedModel } {
  if (!traced || !plain) throw new Error('bench.load() first');
  return { traced, plain };
}

/** The same runtime settings as the engine worker's configureRuntime (src/engine/browser-loader.ts). */
function configureRuntime(): void {
  const wasm = env.backends.onnx.wasm;
  if (!wasm) throw new Error('onnxruntime-web has no WASM backend in this build');
  const urls = ortRuntimeUrls();
  wasm.wasmPaths = { mjs: urls.mjs, wasm: urls.wasm };
  if (!self.crossOriginIsolated) wasm.numThreads = 1;
  env.useBrowserCache = false;
  env.useWasmCache = false;
}

const int64 = (values: number[]) => new Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);

async function forwardOnce(loaded: LoadedModel, ids: number[], lens = false): Promise<{ ms: number; logits: Float32Array }> {
  const started = performance.now();
  // The knock-out masks (all ones) when the graph takes them: transformers.js refuses a run with an input unfed.
  // Asking for the outputs runTrace asks for (the plain graph has only the logits and the cache).
  const outputs = (await tracedPassModel(loaded, lens).forward({ input_ids: int64(ids), attention_mask: int64(ids.map(() => 1)), ...knockOutFeeds(loaded, null), ...traceSwitchFeeds(loaded, true, lens) })) as Record<string, Tensor>;
  const ms = performance.now() - started;
  return { ms, logits: outputs.logits.data as Float32Array };
}

/** ?backend=webgpu runs the models on WebGPU (npm run bench -- --backend webgpu); WASM otherwise. */
function pageBackend(): 'wasm' | 'webgpu' {
  return new URLSearchParams(location.search).get('backend') === 'webgpu' ? 'webgpu' : 'wasm';
}

async function timedLoad(name: string): Promise<{ loaded: LoadedModel; loadMs: number }> {
  const started = performance.now();
  // As the worker loads it: the weight-derived slides read trace-extras.json and the graph's outputs, no weights.
  const loaded = await loadModel({ name, modelRoot: modelRootPath(), backend: pageBackend() });
  return { loaded, loadMs: performance.now() - started };
}

function outputCount(loaded: LoadedModel): number {
  return (loaded.model.sessions as Record<string, { outputNames: readonly string[] }>).model.outputNames.length;
}

/** transformers.js's own generation loop, greedy (on the traced graph: the switch off, every mask one); returns the new ids. */
async function libraryGenerate(loaded: LoadedModel, ids: number[], maxNewTokens: number): Promise<number[]> {
  const graphInputs = feedThroughGenerate(loaded.model, { ...knockOutFeeds(loaded, null), ...traceSwitchFeeds(loaded, false) });
  const output = (await loaded.model.generate({
    input_ids: int64(ids),
    attention_mask: int64(ids.map(() => 1)),
    ...graphInputs,
    max_new_tokens: maxNewTokens,
    do_sample: false,
  } as Parameters<LoadedModel['model']['generate']>[0])) as Tensor;
  return Array.from(output.data as BigInt64Array, Number).slice(ids.length);
}

let memoryModel: { loaded: LoadedModel; kind: 'traced' | 'plain' } | null = null;

const api: BenchApi = {
  async load(names) {
    configureRuntime();
    const t = await timedLoad(names.traced);
    const p = await timedLoad(names.plain);
    traced = t.loaded;
    plain = p.loaded;
    if (plain.traceOutputs.length > 0) throw new Error(`${names.plain} has trace outputs: it is not a baseline`);
    return {
      traced: { name: names.traced, loadMs: t.loadMs, outputs: outputCount(traced) },
      plain: { name: names.plain, loadMs: p.loadMs, outputs: outputCount(plain) },
      crossOriginIsolated: self.crossOriginIsolated,
      numThreads: env.backends.onnx.wasm?.numThreads,
    };
  },

  async forward(ids, prompt, warmUps, reps) {
    const m = models();
    // The prompt must reach the model as exactly these tokens, or the figures are for another length.
    const got = (await runTrace(m.traced, prompt)).tokens.map((token) => token.id);
    if (got.join(',') !== ids.join(',')) throw new Error(`the prompt tokenizes to ${got.length} tokens here, not the ${ids.length} expected`);
    const result: ForwardTimes = { tokens: ids.length, plainMs: [], tracedMs: [], tracedWithLensMs: [], runTraceMs: [], runTraceForwardMs: [], runTraceCollectMs: [], maxLogitDifference: 0 };
    for (let rep = -warmUps; rep < reps; rep++) {
      // Interleaved, so a slow moment of the machine falls on all four alike.
      const p = await forwardOnce(m.plain, ids);
      const t = await forwardOnce(m.traced, ids);
      const withLens = await forwardOnce(m.traced, ids, true);
      const started = performance.now();
      const trace = await runTrace(m.traced, prompt, { deferLens: true }); // as the worker runs it
      const runTraceMs = performance.now() - started;
      if (rep === -warmUps) {
        for (let i = 0; i < p.logits.length; i++) result.maxLogitDifference = Math.max(result.maxLogitDifference, Math.abs(p.logits[i] - t.logits[i]));
      }
      if (rep < 0) continue;
      result.plainMs.push(p.ms);
      result.tracedMs.push(t.ms);
      result.tracedWithLensMs.push(withLens.ms);
      result.runTraceMs.push(runTraceMs);
      result.runTraceForwardMs.push(trace.timings.forwardMs);
      result.runTraceCollectMs.push(trace.timings.collectMs);
    }
    return result;
  },

  async generation(ids, maxNewTokens, warmUps, reps) {
    const m = models();
    const empty = (): GenerationTimes => ({ promptTokens: ids.length, maxNewTokens, runs: [], ids: [] });
    const result = { deck: empty(), deckLensInFirstStep: empty(), lensAfterAnswerMs: [] as number[], deckEveryOutput: empty(), plain: empty(), traced: empty() as GenerationTimes | { error: string } };
    const record = (times: GenerationTimes, started: number, newIds: number[]) => {
      times.runs.push({ ms: performance.now() - started, newTokens: newIds.length });
      times.ids = newIds;
    };
    const shuffle = shuffler(seededRandom(13)); // the same orders in every run
    /** Each loop timed into its figure (from `rep` 0 on); the lens after the deck's answer timed apart. */
    const loops: ((rep: number) => Promise<void>)[] = [
      async (rep) => {
        let started = performance.now();
        const answer = await generateRun(m.traced, ids, { maxNewTokens, useCache: true, keepCache: true }); // as the deck's answer, the lens after it
        if (rep >= 0) record(result.deck, started, answer.steps.map((step) => step.id));
        started = performance.now();
        await promptLens(m.traced, ids, null, answer.cache);
        if (rep >= 0) result.lensAfterAnswerMs.push(performance.now() - started);
      },
      async (rep) => {
        const started = performance.now();
        const steps = await generate(m.traced, ids, { maxNewTokens, useCache: true, onLens: () => undefined }); // the lens's slide on screen
        if (rep >= 0) record(result.deckLensInFirstStep, started, steps.map((step) => step.id));
      },
      async (rep) => {
        const started = performance.now();
        const steps = await generate(m.traced, ids, { maxNewTokens, useCache: true, allOutputs: true, onLens: () => undefined });
        if (rep >= 0) record(result.deckEveryOutput, started, steps.map((step) => step.id));
      },
      async (rep) => {
        const started = performance.now();
        const plainIds = await libraryGenerate(m.plain, ids, maxNewTokens);
        if (rep >= 0) record(result.plain, started, plainIds);
      },
      async (rep) => {
        if ('error' in result.traced) return;
        try {
          const started = performance.now();
          const tracedIds = await libraryGenerate(m.traced, ids, maxNewTokens);
          if (rep >= 0) record(result.traced, started, tracedIds);
        } catch (error) {
          result.traced = { error: error instanceof Error ? error.message : String(error) };
        }
      },
    ];
    for (let rep = -warmUps; rep < reps; rep++) {
      // Interleaved, as the forward passes are, in a new order each repetition: a loop pays for what the one before it
      // left behind (its garbage, another session's weights in the CPU's caches), and in a fixed order the deck's
      // always followed transformers.js's generate().
      for (const loop of shuffle([...loops])) await loop(rep);
    }
    return result;
  },

  async memoryLoad(name, kind) {
    configureRuntime();
    memoryModel = { loaded: (await timedLoad(name)).loaded, kind };
  },
  async slideValues(prompt) {
    if (!memoryModel) throw new Error('bench.memoryLoad() first');
    const trace = await runTrace(memoryModel.loaded, prompt);
    const lens = trace.extras?.logitLens ?? [];
    const layer0 = trace.tensors[layerOutput(0, 'attn.probs')];
    return {
      ids: { 'next token top 10': trace.topk.map((c) => c.id), 'logit lens top 5s': lens.flatMap((row) => row.top.map((c) => c.id)) },
      values: {
        'next token top-10 probabilities': trace.topk.map((c) => c.prob),
        'logit lens probabilities': lens.flatMap((row) => row.top.map((c) => c.prob)),
        'layer 1 attention probabilities': layer0 ? Array.from(layer0.data) : [],
        'final hidden state (last token)': Array.from(trace.tensors[finalNormOutput]?.data.slice(-trace.model.nEmbd) ?? []),
        'attribution votes (top token)': trace.attribution?.logit.components.map((c) => c.value) ?? [],
        'embedding map x, y': trace.extras?.embeddingSpace.points.flatMap((p) => [p.x, p.y]) ?? [],
      },
    };
  },
  async memoryRun(ids, prompt, newTokens) {
    if (!memoryModel) throw new Error('bench.memoryLoad() first');
    const { loaded, kind } = memoryModel;
    if (kind === 'traced') {
      // As the deck's worker: the answer goes on from the Trace's pass, and the lens comes after it.
      let cache: KvCache | null = null;
      const trace = await runTrace(loaded, prompt, { deferLens: true, onCache: (kept) => (cache = kept) });
      if (newTokens === 0) return disposeGpuTensors(Object.values(cache!.past)); // no answer takes it
      const promptIds = trace.tokens.map((token) => token.id);
      const promptPass = { cache: cache!, lastLogits: trace.lastLogits, ms: trace.timings.forwardMs };
      const answer = await generateRun(loaded, promptIds, { maxNewTokens: newTokens, useCache: true, keepCache: true, promptPass });
      await promptLens(loaded, promptIds, null, answer.cache);
    } else {
      await forwardOnce(loaded, ids);
      if (newTokens > 0) await libraryGenerate(loaded, ids, newTokens);
    }
  },
};

window.bench = api;
document.querySelector('#bench-status')!.textContent = 'bench page: ready';
document.documentElement.dataset.benchReady = 'true';
