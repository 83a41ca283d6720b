// The engine client against a fake worker: debounced runs, stale answers dropped, empty prompts
// never sent, errors kept apart (load vs. prompt).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineClient, runLimits, type WorkerLike } from '../../src/engine/client';
import type { EngineMessage, EngineRequest, RunRequest } from '../../src/engine/protocol';
import type { Trace } from '../../src/trace';

class FakeWorker implements WorkerLike {
  sent: EngineRequest[] = [];
  #onMessage: ((event: MessageEvent<EngineMessage>) => void) | null = null;
  postMessage(message: EngineRequest): void {
    this.sent.push(message);
  }
  addEventListener(type: 'message' | 'error', listener: (event: never) => void): void {
    if (type === 'message') this.#onMessage = listener as (event: MessageEvent<EngineMessage>) => void;
  }
  reply(message: EngineMessage): void {
    this.#onMessage?.({ data: message } as MessageEvent<EngineMessage>);
  }
  runs(): RunRequest[] {
    return this.sent.filter((m): m is RunRequest => m.type === 'run');
  }
}

const fakeTrace = (prompt: string) => ({ prompt, tokens: [], droppedTokens: 0 }) as unknown as Trace;
const model = { name: 'tiny' } as Trace['model'];

function readyClient(debounceMs = 100): { worker: FakeWorker; client: EngineClient } {
  const worker = new FakeWorker();
  const client = new EngineClient(worker, { debounceMs });
  client.load({ modelName: 'tiny', modelRoot: '/models/', ortRuntime: { mjs: 'm', wasm: 'w' }, choice: { backend: 'wasm', notice: null } });
  worker.reply({ type: 'ready', model, backend: 'wasm', loadMs: 1, warmUpMs: 1 });
  return { worker, client };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('EngineClient', () => {
  it('sends one run after the presenter stops typing', () => {
    const { worker, client } = readyClient();
    client.setPrompt('H');
    client.setPrompt('He');
    client.setPrompt('Hello');
    expect(client.state.running).toBe(true);
    expect(worker.runs()).toHaveLength(0);
    vi.advanceTimersByTime(100);
    expect(worker.runs().map((r) => r.prompt)).toEqual(['Hello']);
  });

  it('asks for the logit lens with the Trace while its slide is on screen, without running again', () => {
    const { worker, client } = readyClient();
    client.setPrompt('Hello', { immediate: true });
    client.setLensWithTrace(true);
    expect(worker.runs()).toHaveLength(1); // the slide changing runs nothing
    client.setPrompt('Hello there', { immediate: true });
    client.setLensWithTrace(false);
    client.setPrompt('Hello again', { immediate: true });
    expect(worker.runs().map((r) => r.lensWithTrace)).toEqual([undefined, true, undefined]);
    // The worker hears of each change at once (an answer under way computes a lens left to it), and of no non-change.
    client.setLensWithTrace(false);
    expect(worker.sent.filter((m) => m.type === 'lens-on-screen')).toEqual([
      { type: 'lens-on-screen', onScreen: true },
      { type: 'lens-on-screen', onScreen: false },
    ]);
  });

  it('runs at once on Enter, even while a run for the same text waits for the typing pause', () => {
    const { worker, client } = readyClient(1000);
    client.setPrompt('Hello');
    client.setPrompt('Hello', { immediate: true });
    expect(worker.runs().map((r) => r.prompt)).toEqual(['Hello']);
    vi.advanceTimersByTime(1000);
    client.setPrompt('Hello', { immediate: true }); // already in flight: not sent twice
    expect(worker.runs()).toHaveLength(1);
  });

  it('drops an answer to an older prompt, so it never replaces a newer one', () => {
    const { worker, client } = readyClient(0);
    client.setPrompt('first');
    client.setPrompt('second');
    const [first, second] = worker.runs();
    worker.reply({ type: 'trace', requestId: second.requestId, trace: fakeTrace('second') });
    worker.reply({ type: 'trace', requestId: first.requestId, trace: fakeTrace('first') }); // late
    expect(client.state.trace?.prompt).toBe('second');
    expect(client.state.running).toBe(false);
  });

  it('never runs an empty prompt, and forgets the Trace and any run in flight', () => {
    const { worker, client } = readyClient(0);
    client.setPrompt('hello');
    const [run] = worker.runs();
    client.setPrompt('  ');
    worker.reply({ type: 'trace', requestId: run.requestId, trace: fakeTrace('hello') });
    expect(worker.runs()).toHaveLength(1);
    expect(client.state.trace).toBeNull();
    expect(client.state.running).toBe(false);
  });

  it('holds a prompt typed during loading until the model is ready', () => {
    const worker = new FakeWorker();
    const client = new EngineClient(worker, { debounceMs: 0 });
    client.load({ modelName: 'tiny', modelRoot: '/models/', ortRuntime: { mjs: 'm', wasm: 'w' }, choice: { backend: 'webgpu', notice: null } });
    client.setPrompt('early');
    expect(worker.runs()).toHaveLength(0);
    worker.reply({ type: 'ready', model, backend: 'webgpu', loadMs: 1, warmUpMs: 1 });
    expect(worker.runs().map((r) => r.prompt)).toEqual(['early']);
  });

  it('reports loading progress over all files together', () => {
    const worker = new FakeWorker();
    const client = new EngineClient(worker);
    worker.reply({ type: 'progress', file: 'tokenizer.json', loaded: 100, total: 100 });
    worker.reply({ type: 'progress', file: 'onnx/model.onnx', loaded: 100, total: 300 });
    expect(client.state.progress).toEqual({ file: 'onnx/model.onnx', fraction: 0.5 });
  });

  it('keeps a load failure (with its file) apart from a prompt the model refused', () => {
    const worker = new FakeWorker();
    const client = new EngineClient(worker);
    worker.reply({ type: 'error', requestId: null, kind: 'load', message: 'not found', file: 'onnx/model.onnx' });
    expect(client.state.phase).toBe('failed');
    expect(client.state.loadError).toEqual({ message: 'not found', file: 'onnx/model.onnx' });

    const ready = readyClient(0);
    ready.client.setPrompt('x');
    const [run] = ready.worker.runs();
    ready.worker.reply({ type: 'error', requestId: run.requestId, kind: 'prompt', message: 'no tokens', file: null });
    expect(ready.client.state.phase).toBe('ready');
    expect(ready.client.state.runError).toBe('no tokens');
  });

  it('sends the conversation and answer settings with each run, and runs again at once when they change', () => {
    const { worker, client } = readyClient(1000);
    client.setPrompt('Hello', { immediate: true });
    expect(worker.runs()[0]).toEqual({ type: 'run', requestId: 1, prompt: 'Hello', system: '', history: [], chat: true, sampling: null });
    client.setRunOptions({ system: 'Be brief.', maxNewTokens: 40, sampling: { temperature: 0.8, topK: 40, topP: 0.95, seed: 7 } });
    expect(worker.runs()).toHaveLength(2); // at once, no typing pause
    expect(worker.runs()[1]).toMatchObject({ prompt: 'Hello', system: 'Be brief.', maxNewTokens: 40, sampling: { temperature: 0.8, topK: 40, topP: 0.95, seed: 7 } });
    client.setRunOptions({ system: 'Be brief.' }); // nothing changed: nothing sent
    expect(worker.runs()).toHaveLength(2);
  });

  it('replies with the conversation so far: a new prompt and its history in one run', () => {
    const { worker, client } = readyClient(1000);
    client.setPrompt('How do I bake cookies?', { immediate: true });
    const history = [
      { role: 'user' as const, content: 'How do I bake cookies?' },
      { role: 'assistant' as const, content: 'Mix, then bake.' },
    ];
    client.reply('How long?', history);
    expect(worker.runs()).toHaveLength(2);
    expect(worker.runs()[1]).toMatchObject({ prompt: 'How long?', history });
    expect(client.state.prompt).toBe('How long?');
    expect(client.state.runOptions.history).toEqual(history);
    client.setRunOptions({ history: [] }); // a fresh conversation: the same prompt as a first turn
    expect(worker.runs()[2]).toMatchObject({ prompt: 'How long?', history: [] });
  });
});

/** A worker the supervision tests can kill: it records its listeners, whether it was terminated, and answers pings when alive. */
class SupervisedWorker extends FakeWorker {
  terminated = false;
  alive = true;
  #onError: ((event: ErrorEvent) => void) | null = null;
  override addEventListener(type: 'message' | 'error', listener: (event: never) => void): void {
    super.addEventListener(type, listener);
    if (type === 'error') this.#onError = listener as (event: ErrorEvent) => void;
  }
  override postMessage(message: EngineRequest): void {
    super.postMessage(message);
    if (message.type === 'ping' && this.alive) this.reply({ type: 'pong', id: message.id });
  }
  terminate(): void {
    this.terminated = true;
    this.alive = false;
  }
  fail(message: string): void {
    this.#onError?.({ message } as ErrorEvent);
  }
}

describe('EngineClient supervising its worker', () => {
  const settings = { modelName: 'tiny', modelRoot: '/models/', ortRuntime: { mjs: 'm', wasm: 'w' }, choice: { backend: 'wasm' as const, notice: null } };
  function supervised(): { workers: SupervisedWorker[]; client: EngineClient } {
    const workers: SupervisedWorker[] = [];
    const client = new EngineClient(() => {
      workers.push(new SupervisedWorker());
      return workers[workers.length - 1]!;
    }, { debounceMs: 0, heartbeatMs: 1000, loadSilenceMs: 30_000, runSilenceMs: 5000 });
    client.load(settings);
    workers[0]!.reply({ type: 'ready', model, backend: 'wasm', loadMs: 1, warmUpMs: 10 });
    return { workers, client };
  }

  it('replaces a worker that stops answering mid-run, reloads the model and runs the prompt again', () => {
    const { workers, client } = supervised();
    client.setPrompt('Hello');
    workers[0]!.alive = false; // killed mid-run: no Trace, no pong
    vi.advanceTimersByTime(4000);
    expect(workers).toHaveLength(1); // 4 s of silence is not yet death
    vi.advanceTimersByTime(3000);
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
    expect(client.state).toMatchObject({ phase: 'loading', running: true, engineRestarts: 1 });
    expect(client.state.runError).toMatch(/^The engine stopped \(it stopped answering for \d+ s\)\. Restarting it and reloading the model, then running the prompt again…$/);
    expect(workers[1]!.sent[0]).toMatchObject({ type: 'load', modelName: 'tiny' });
    workers[1]!.reply({ type: 'ready', model, backend: 'wasm', loadMs: 1, warmUpMs: 10 });
    const rerun = workers[1]!.runs()[0]!;
    expect(rerun.prompt).toBe('Hello');
    workers[0]!.reply({ type: 'trace', requestId: rerun.requestId, trace: fakeTrace('old worker') }); // a replaced worker is not listened to
    expect(client.state.trace).toBeNull();
    workers[1]!.reply({ type: 'trace', requestId: rerun.requestId, trace: fakeTrace('Hello') });
    expect(client.state).toMatchObject({ phase: 'ready', running: false, runError: null });
    expect(client.state.trace?.prompt).toBe('Hello');
  });

  it("tells a replacement worker that the lens's slide is on screen", () => {
    const { workers, client } = supervised();
    client.setLensWithTrace(true);
    workers[0]!.fail('Uncaught RuntimeError: memory access out of bounds');
    expect(workers[1]!.sent.slice(0, 2).map((m) => m.type)).toEqual(['lens-on-screen', 'load']);
    expect(workers[1]!.sent[0]).toEqual({ type: 'lens-on-screen', onScreen: true });
  });

  it('stops after a second failure in a row, and says so; running and failed never both hold', () => {
    const { workers, client } = supervised();
    client.setPrompt('Hello');
    workers[0]!.fail('Uncaught RuntimeError: memory access out of bounds');
    expect(workers).toHaveLength(2);
    workers[1]!.fail('Uncaught RuntimeError: memory access out of bounds');
    expect(workers).toHaveLength(2);
    expect(workers[1]!.terminated).toBe(true);
    expect(client.state).toMatchObject({ phase: 'failed', running: false, runError: null });
    expect(client.state.loadError?.message).toBe('the engine stopped again after a restart (Uncaught RuntimeError: memory access out of bounds): no more retries; reload the page (or try ?backend=wasm or a smaller model).');
    client.setPrompt('Another');
    expect(client.state.running).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(workers).toHaveLength(2); // no more restarts, no heartbeat
  });

  it('never takes a live worker for dead when the tab throttles its timers (checks a minute apart)', () => {
    const workers: SupervisedWorker[] = [];
    const client = new EngineClient(() => {
      workers.push(new SupervisedWorker());
      return workers[workers.length - 1]!;
    }, { debounceMs: 0, heartbeatMs: 60_000, runSilenceMs: 5000 });
    client.load(settings);
    workers[0]!.reply({ type: 'ready', model, backend: 'wasm', loadMs: 1, warmUpMs: 10 });
    vi.advanceTimersByTime(600_000);
    expect(workers).toHaveLength(1);
    expect(workers[0]!.sent.filter((message) => message.type === 'ping').length).toBe(10);
    expect(client.state.phase).toBe('ready');
  });

  it('counts failures in a row only: a Trace in between resets them', () => {
    const { workers, client } = supervised();
    client.setPrompt('Hello');
    workers[0]!.fail('boom');
    workers[1]!.reply({ type: 'ready', model, backend: 'wasm', loadMs: 1, warmUpMs: 10 });
    workers[1]!.reply({ type: 'trace', requestId: workers[1]!.runs()[0]!.requestId, trace: fakeTrace('Hello') });
    workers[1]!.fail('boom');
    expect(workers).toHaveLength(3);
    expect(client.state.phase).toBe('loading');
  });

  it('replaces a worker whose run never ends while it still answers pings (a hung run), after a limit scaled by the warm-up', () => {
    expect(runLimits(10, 5000)).toEqual({ silenceMs: 5000, traceMs: 15_000 });
    expect(runLimits(400, 20_000)).toEqual({ silenceMs: 40_000, traceMs: 120_000 }); // a slow model waits longer
    const { workers, client } = supervised();
    client.setPrompt('Hello');
    vi.advanceTimersByTime(14_000);
    expect(workers).toHaveLength(1);
    vi.advanceTimersByTime(2000);
    expect(workers).toHaveLength(2);
    expect(client.state.runError).toMatch(/a run took longer than 15 s/);
  });

  it('a worker that throws as it starts: one retry, then a stable failed state with its message', () => {
    const workers: SupervisedWorker[] = [];
    const client = new EngineClient(() => {
      workers.push(new SupervisedWorker());
      return workers[workers.length - 1]!;
    });
    client.setPrompt('Hello', { immediate: true });
    workers[0]!.fail('Uncaught Error: broken engine build'); // before load() was called
    client.load(settings);
    expect(workers[1]!.sent[0]).toMatchObject({ type: 'load' });
    workers[1]!.fail('Uncaught Error: broken engine build');
    expect(client.state).toMatchObject({ phase: 'failed', running: false });
    expect(client.state.loadError?.message).toContain('Uncaught Error: broken engine build');
    client.load(settings); // a later load does not contradict it
    expect(client.state.phase).toBe('failed');
  });

  it('a plain worker (not supervised) that fails is a failed, not running, state', () => {
    const worker = new SupervisedWorker();
    const client = new EngineClient(worker, { debounceMs: 0 });
    client.load(settings);
    client.setPrompt('Hello');
    worker.fail('Uncaught Error: broken engine build');
    expect(client.state).toMatchObject({ phase: 'failed', running: false });
    expect(client.state.loadError?.message).toBe('the engine stopped (Uncaught Error: broken engine build): reload the page.');
  });
});
