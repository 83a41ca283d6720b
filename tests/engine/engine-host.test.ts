// The engine host (what the worker runs, without the worker): requests one at a time and in order,
// a run superseded while it waits is skipped and one superseded while it answers stops, a failed load
// is blamed on the right model file. A fake engine stands in for the model; one test loads the real one.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { streamAnswer } from '../../src/engine/answer-stream';
import { blameLoadError, createEngineHost, WARM_UP_PROMPT, type Engine, type FileProgress } from '../../src/engine/engine-host';
import type { LoadedModel } from '../../src/engine/load-model';
import type { EngineMessage, LoadRequest, RunRequest } from '../../src/engine/protocol';
import { PromptError, runTrace } from '../../src/engine/run-trace';
import type { ModelInfo } from '../../src/trace';
import { makeTrace } from '../fixtures/synthetic-trace';

const FOLDER = '/deck/models/tiny/';
const loadRequest: LoadRequest = { type: 'load', modelName: 'tiny', modelRoot: '/deck/models/', backend: 'wasm', ortRuntime: { mjs: '/ort.mjs', wasm: '/ort.wasm' } };
const runRequest = (requestId: number, prompt = `prompt ${requestId}`): RunRequest => ({ type: 'run', requestId, prompt });

interface FakeModel {
  info: ModelInfo;
}

/** A promise with its resolve, to hold a fake step until the test lets it go. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * A fake engine: load reports `files` as progress, then fails with `loadError` or returns a model;
 * trace returns a synthetic Trace of the prompt (after `traceGate`, for prompts it holds); answer
 * publishes one generation per step for `answerSteps` steps, checking superseded() before each.
 */
function fakeEngine(options: { files?: string[]; loadError?: Error; traceGates?: Map<string, Promise<void>>; answerSteps?: number; traceError?: (prompt: string) => Error | null } = {}) {
  const traced: string[] = [];
  const active = { now: 0, most: 0 };
  const trace = makeTrace();
  const engine: Engine<FakeModel> = {
    async load(_request, onProgress: (progress: FileProgress) => void) {
      for (const file of options.files ?? []) onProgress({ file, loaded: 1, total: 2 });
      if (options.loadError) throw options.loadError;
      return { info: trace.model };
    },
    async trace(_model, input) {
      const prompt = typeof input === 'string' ? input : input.prompt;
      traced.push(prompt);
      active.now++;
      active.most = Math.max(active.most, active.now);
      try {
        await options.traceGates?.get(prompt);
        const error = options.traceError?.(prompt);
        if (error) throw error;
        return { ...trace, prompt };
      } finally {
        active.now--;
      }
    },
    async answer(_model, input, _session, callbacks) {
      for (let step = 0; step < (options.answerSteps ?? 1); step++) {
        if (callbacks.superseded()) return;
        callbacks.publish({ prompt: input.prompt, promptIds: input.promptIds } as never);
        await Promise.resolve();
      }
    },
  };
  return { engine, traced, active };
}

function recorder() {
  const messages: EngineMessage[] = [];
  return { messages, post: (message: EngineMessage) => void messages.push(message) };
}

describe('engine host: queueing', () => {
  it('loads, warms up with a whole pass, then answers a run with its Trace and generation', async () => {
    const { engine, traced } = fakeEngine({ files: ['config.json', 'onnx/model.onnx'] });
    const { messages, post } = recorder();
    const host = createEngineHost(post, engine);
    await host.receive(loadRequest);
    await host.receive(runRequest(1));
    expect(traced).toEqual([WARM_UP_PROMPT, 'prompt 1']);
    expect(messages.map((m) => m.type)).toEqual(['loading', 'progress', 'progress', 'ready', 'trace', 'generation']);
    expect(messages[1]).toEqual({ type: 'progress', file: 'config.json', loaded: 1, total: 2 });
    const trace = messages[4];
    expect(trace.type === 'trace' && [trace.requestId, trace.trace.prompt]).toEqual([1, 'prompt 1']);
  });

  it('runs one request at a time, in the order received', async () => {
    const first = gate();
    const { engine, traced, active } = fakeEngine({ traceGates: new Map([['prompt 1', first.opened]]) });
    const { messages, post } = recorder();
    const host = createEngineHost(post, engine);
    void host.receive(loadRequest);
    void host.receive(runRequest(1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const two = host.receive(runRequest(2));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(traced).toEqual([WARM_UP_PROMPT, 'prompt 1']); // run 2 waits for run 1, held in its trace
    first.open();
    await two;
    expect(traced).toEqual([WARM_UP_PROMPT, 'prompt 1', 'prompt 2']);
    expect(active.most).toBe(1);
    expect(messages.flatMap((m) => (m.type === 'trace' ? [m.requestId] : []))).toEqual([1, 2]);
  });

  it('skips a run superseded while it waited, and stops the answer of one superseded while it streams', async () => {
    const first = gate();
    const { engine, traced } = fakeEngine({ traceGates: new Map([['prompt 1', first.opened]]), answerSteps: 5 });
    const { messages, post } = recorder();
    const host = createEngineHost(post, engine);
    void host.receive(loadRequest);
    void host.receive(runRequest(1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Run 1 is tracing; 2 and 3 arrive: 2 is superseded by 3 before it starts, and 1 by both.
    void host.receive(runRequest(2));
    const last = host.receive(runRequest(3));
    first.open();
    await last;
    expect(traced).toEqual([WARM_UP_PROMPT, 'prompt 1', 'prompt 3']);
    const perRequest = (type: string) => messages.flatMap((m) => (m.type === type && 'requestId' in m ? [m.requestId] : []));
    expect(perRequest('trace')).toEqual([1, 3]); // run 1's Trace was made: it is sent (the client drops it)
    expect(perRequest('generation')).toEqual([3, 3, 3, 3, 3]); // run 1's answer stopped before its first step
  });

  it('answers a run before any load, and after a failed one, with "the model is not loaded"', async () => {
    const { engine } = fakeEngine({ loadError: new Error('boom') });
    const { messages, post } = recorder();
    const host = createEngineHost(post, engine);
    await host.receive(runRequest(1));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await host.receive(loadRequest);
    await host.receive(runRequest(2));
    const errors = messages.filter((m) => m.type === 'error');
    expect(errors).toEqual([
      { type: 'error', requestId: 1, kind: 'run', message: 'the model is not loaded', file: null },
      { type: 'error', requestId: null, kind: 'load', message: 'boom', file: null },
      { type: 'error', requestId: 2, kind: 'run', message: 'the model is not loaded', file: null },
    ]);
    vi.restoreAllMocks();
  });

  it("says a prompt the model cannot take as the prompt's error, apart from the engine's", async () => {
    const { engine } = fakeEngine({ traceError: (prompt) => (prompt === '' ? new PromptError('The prompt is empty') : prompt === 'bad' ? new Error('out of memory') : null) });
    const { messages, post } = recorder();
    const host = createEngineHost(post, engine);
    await host.receive(loadRequest);
    await host.receive(runRequest(1, ''));
    await host.receive(runRequest(2, 'bad'));
    expect(messages.filter((m) => m.type === 'error')).toEqual([
      { type: 'error', requestId: 1, kind: 'prompt', message: 'The prompt is empty', file: null },
      { type: 'error', requestId: 2, kind: 'run', message: 'out of memory (out of memory): this browser cannot hold the model; try a smaller model or ?backend=wasm, or close other tabs and reload', file: null }, // issue 15: the cause named, with what to do
    ]);
  });
});

describe('engine host: which file a failed load is blamed on', () => {
  const failedLoad = async (files: string[], error: Error) => {
    const { engine } = fakeEngine({ files, loadError: error });
    const { messages, post } = recorder();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await createEngineHost(post, engine).receive(loadRequest);
    vi.restoreAllMocks();
    return messages.at(-1);
  };

  it("blames onnxruntime's errors on the last .onnx file, even when another file reported after it", async () => {
    const error = new Error("Can't create a session. ERROR_CODE: 7, ERROR_MESSAGE: Failed to load model");
    expect(await failedLoad(['config.json', 'onnx/model.onnx', 'tokenizer.json'], error)).toEqual({ type: 'error', requestId: null, kind: 'load', message: error.message, file: 'onnx/model.onnx' });
  });

  it('blames other errors on the last file that reported progress', async () => {
    expect(await failedLoad(['onnx/model.onnx', 'tokenizer.json'], new Error('Unexpected token < in JSON'))).toMatchObject({ file: 'tokenizer.json' });
  });

  it('blames the file a message names by URL, over the last one reported', async () => {
    const message = `Could not locate file: "${FOLDER}generation_config.json".`;
    expect(await failedLoad(['onnx/model.onnx'], new Error(message))).toMatchObject({ message, file: 'generation_config.json' });
  });

  it("names tokenizer_config.json when transformers.js only says it could not read 'tokenizer_class'", async () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'tokenizer_class')");
    expect(await failedLoad(['tokenizer.json'], error)).toMatchObject({ message: 'tokenizer_config.json was not found', file: 'tokenizer_config.json' });
  });

  it('blames no file when none reported and the message names none', () => {
    expect(blameLoadError('protobuf parsing failed', FOLDER, { last: null, lastOnnx: null })).toEqual({ message: 'protobuf parsing failed', file: null });
    expect(blameLoadError('protobuf parsing failed', FOLDER, { last: 'config.json', lastOnnx: null })).toEqual({ message: 'protobuf parsing failed', file: null });
  });
});

describe('engine host on the real model', () => {
  let loaded: LoadedModel | undefined;
  afterAll(async () => loaded?.model.dispose());

  it("posts ready with the model's info, then the Trace runTrace gives and a streamed answer that brings the lens", async () => {
    const { messages, post } = recorder();
    const host = createEngineHost(post, {
      load: async () => (loaded = await loadModelInNode('sotu-gpt')),
      trace: runTrace,
      answer: streamAnswer,
    });
    await host.receive(loadRequest);
    await host.receive({ ...runRequest(1, 'The Congress should'), maxNewTokens: 3 });
    const ready = messages.find((m) => m.type === 'ready');
    expect(ready?.type === 'ready' && ready.model.name).toBe('sotu-gpt');
    const trace = messages.find((m) => m.type === 'trace');
    const expected = await runTrace(loaded!, 'The Congress should');
    expect(trace?.type === 'trace' && trace.trace.tokens.map((t) => t.id)).toEqual(expected.tokens.map((t) => t.id));
    expect(trace?.type === 'trace' && Array.from(trace.trace.lastLogits)).toEqual(Array.from(expected.lastLogits));
    const generations = messages.flatMap((m) => (m.type === 'generation' ? [m.generation] : []));
    expect(generations.at(-1)?.cached).toMatchObject({ done: true });
    expect(generations.at(-1)?.cached.steps).toHaveLength(3);
    // The answer goes on from the Trace's pass: its first token came from that pass, the comparison's did not.
    expect(generations.at(-1)?.cached.steps.map((s) => s.fromPromptPass === true)).toEqual([true, false, false]);
    expect(generations.at(-1)?.cached.steps[0].id).toBe(expected.topk[0].id);
    expect(generations.at(-1)?.uncached?.steps[0].fromPromptPass).toBeUndefined();
    // The Trace leaves the logit lens to the answer, which computes it once its last token is out (no slide shows
    // it), equal to the one a traced pass gives.
    expect(trace?.type === 'trace' && trace.trace.extras?.logitLensFromAnswer).toBe(true);
    const lens = generations.at(-1)?.logitLens;
    expect(lens?.map((row) => row.top.map((c) => c.id))).toEqual(expected.extras!.logitLens.map((row) => row.top.map((c) => c.id)));
    expect(generations.find((g) => g.logitLens)?.cached.steps).toHaveLength(3);
    // Told at once that the lens's slide is on screen (not queued behind a run): the next answer's first step computes it.
    messages.length = 0;
    const running = host.receive({ ...runRequest(3, 'The Congress should'), maxNewTokens: 3 });
    await host.receive({ type: 'lens-on-screen', onScreen: true });
    await running;
    const onScreen = messages.flatMap((m) => (m.type === 'generation' ? [m.generation] : []));
    expect(onScreen.find((g) => g.logitLens)?.cached.steps).toHaveLength(0);
    await host.receive({ type: 'lens-on-screen', onScreen: false });
    // With the lens's slide on screen, the Trace brings it and the answer computes none.
    messages.length = 0;
    await host.receive({ ...runRequest(4, 'The Congress should'), maxNewTokens: 2, lensWithTrace: true });
    const withLens = messages.find((m) => m.type === 'trace');
    expect(withLens?.type === 'trace' && withLens.trace.extras?.logitLensFromAnswer).toBeUndefined();
    expect(withLens?.type === 'trace' && withLens.trace.extras?.logitLens.map((row) => row.top.map((c) => c.id))).toEqual(expected.extras!.logitLens.map((row) => row.top.map((c) => c.id)));
    expect(messages.flatMap((m) => (m.type === 'generation' ? [m.generation.logitLens] : [])).every((rows) => rows === undefined)).toBe(true);
    expect(messages.some((m) => m.type === 'error')).toBe(false);
  }, 120_000);
});

describe('engine host: causes named', () => {
  it('names an out-of-memory load as such, blaming no file', async () => {
    const messages: EngineMessage[] = [];
    const host = createEngineHost((message) => messages.push(message), {
      load: async () => {
        throw new RangeError('Array buffer allocation failed');
      },
      trace: async () => {
        throw new Error('unreachable');
      },
      answer: async () => undefined,
    });
    await host.receive({ type: 'load', modelName: 'big', modelRoot: '/models/', backend: 'wasm', ortRuntime: { mjs: 'm', wasm: 'w' } });
    expect(messages.at(-1)).toEqual({ type: 'error', requestId: null, kind: 'load', message: 'out of memory (Array buffer allocation failed): this browser cannot hold the model; try a smaller model or ?backend=wasm, or close other tabs and reload', file: null });
  });
});
