// A lost WebGPU device (issue 15 item 2): the engine host says so once (GPUDevice.lost, or a run that fails
// inside the GPU) instead of a run error; the client then loads the model again on WASM, in a fresh worker
// when it supervises, runs the current prompt there, and says what happened on the badge and to the presenter.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineClient, type WorkerLike } from '../../src/engine/client';
import { createEngineHost, type Engine } from '../../src/engine/engine-host';
import { isGpuFailure, shortGpuReason } from '../../src/engine/error-causes';
import type { EngineMessage, EngineRequest, LoadRequest, RunRequest } from '../../src/engine/protocol';
import type { ModelInfo, Trace } from '../../src/trace';
import { makeTrace } from '../fixtures/synthetic-trace';

class FakeWorker implements WorkerLike {
  sent: EngineRequest[] = [];
  terminated = false;
  #onMessage: ((event: MessageEvent<EngineMessage>) => void) | null = null;
  postMessage(message: EngineRequest): void {
    this.sent.push(message);
    if (message.type === 'ping') this.reply({ type: 'pong', id: message.id });
  }
  addEventListener(type: 'message' | 'error', listener: (event: never) => void): void {
    if (type === 'message') this.#onMessage = listener as (event: MessageEvent<EngineMessage>) => void;
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(message: EngineMessage): void {
    this.#onMessage?.({ data: message } as MessageEvent<EngineMessage>);
  }
  runs(): RunRequest[] {
    return this.sent.filter((m): m is RunRequest => m.type === 'run');
  }
  loads(): LoadRequest[] {
    return this.sent.filter((m): m is LoadRequest => m.type === 'load');
  }
}

const model = { name: 'tiny' } as Trace['model'];
const fakeTrace = (prompt: string) => ({ prompt, tokens: [], droppedTokens: 0 }) as unknown as Trace;
const webgpuChoice = { backend: 'webgpu' as const, notice: 'WebGPU forced by ?backend=webgpu', precision: { forced: null, shaderF16: true } };
const settings = { modelName: 'tiny', modelRoot: '/models/', ortRuntime: { mjs: 'm', wasm: 'w' }, choice: webgpuChoice };

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('EngineClient when the GPU is lost', () => {
  it('supervised: a fresh worker loads the model on WASM (fp32 preference), the prompt runs again, and the presenter is told', () => {
    const workers: FakeWorker[] = [];
    const client = new EngineClient(() => {
      workers.push(new FakeWorker());
      return workers[workers.length - 1]!;
    }, { debounceMs: 0 });
    client.load(settings);
    workers[0]!.reply({ type: 'ready', model, backend: 'webgpu', loadMs: 1, warmUpMs: 1 });
    client.setPrompt('Hello');
    const gpuRun = workers[0]!.runs()[0]!;
    workers[0]!.reply({ type: 'trace', requestId: gpuRun.requestId, trace: fakeTrace('Hello') });
    client.setPrompt('Hello there');
    const lostRun = workers[0]!.runs()[1]!;

    workers[0]!.reply({ type: 'device-lost', reason: 'destroyed: Device was destroyed.' });
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
    expect(workers[1]!.loads()).toEqual([expect.objectContaining({ backend: 'wasm', precision: { forced: null, shaderF16: false } })]);
    expect(client.state).toMatchObject({ phase: 'loading', backend: 'wasm', running: true, runError: null });
    expect(client.state.backendNotice).toBe('The GPU was lost (destroyed: Device was destroyed.): running on WASM (CPU) now');
    expect(client.state.engineEvent).toMatch(/^\d\d:\d\d:\d\d The GPU was lost \(destroyed: Device was destroyed\.\): running on WASM \(CPU\) now; the model reloads on WASM and the prompt runs again\.$/);
    expect(client.state.trace?.prompt).toBe('Hello'); // the slides keep the last values meanwhile

    workers[0]!.reply({ type: 'trace', requestId: lostRun.requestId, trace: fakeTrace('from the lost GPU') }); // ignored
    workers[1]!.reply({ type: 'ready', model, backend: 'wasm', loadMs: 1, warmUpMs: 1 });
    const rerun = workers[1]!.runs()[0]!;
    expect(rerun.prompt).toBe('Hello there');
    workers[1]!.reply({ type: 'trace', requestId: rerun.requestId, trace: fakeTrace('Hello there') });
    expect(client.state).toMatchObject({ phase: 'ready', backend: 'wasm', running: false });
    expect(client.state.trace?.prompt).toBe('Hello there');

    workers[1]!.reply({ type: 'device-lost', reason: 'again' }); // on WASM: nothing to fall back from
    expect(workers).toHaveLength(2);
  });

  it('unsupervised: the same worker is asked to load on WASM; a loss on WASM changes nothing', () => {
    const worker = new FakeWorker();
    const client = new EngineClient(worker, { debounceMs: 0 });
    client.load(settings);
    worker.reply({ type: 'ready', model, backend: 'webgpu', loadMs: 1, warmUpMs: 1 });
    worker.reply({ type: 'device-lost', reason: 'unknown: GPU process exited' });
    expect(worker.loads().map((load) => load.backend)).toEqual(['webgpu', 'wasm']);
    expect(client.state).toMatchObject({ phase: 'loading', backend: 'wasm', running: false });
    worker.reply({ type: 'ready', model, backend: 'wasm', loadMs: 1, warmUpMs: 1 });
    worker.reply({ type: 'device-lost', reason: 'unknown' });
    expect(worker.loads()).toHaveLength(2);
    expect(client.state.phase).toBe('ready');
  });
});

describe('engine host when the GPU is lost', () => {
  const loadOn = (backend: 'webgpu' | 'wasm'): LoadRequest => ({ type: 'load', modelName: 'tiny', modelRoot: '/m/', backend, ortRuntime: { mjs: 'm', wasm: 'w' } });
  function engineWith(options: { traceError?: Error | null }): { engine: Engine<{ info: ModelInfo }>; lose: (reason: string) => void } {
    let lost: ((reason: string) => void) | null = null;
    const trace = makeTrace();
    let warmedUp = false;
    return {
      lose: (reason) => lost?.(reason),
      engine: {
        load: async () => ({ info: trace.model }),
        trace: async (_model, input) => {
          if (warmedUp && options.traceError) throw options.traceError;
          warmedUp = true;
          return { ...trace, prompt: typeof input === 'string' ? input : input.prompt };
        },
        answer: async () => undefined,
        watchGpu: (_model, onLost) => void (lost = onLost),
      },
    };
  }

  it('GPUDevice.lost: one device-lost message, and later runs are not tried on the lost GPU', async () => {
    const messages: EngineMessage[] = [];
    const { engine, lose } = engineWith({});
    const host = createEngineHost((message) => void messages.push(message), engine);
    await host.receive(loadOn('webgpu'));
    lose('destroyed: Device was destroyed.');
    lose('destroyed: again');
    await host.receive({ type: 'run', requestId: 1, prompt: 'Hello' });
    expect(messages.map((m) => m.type)).toEqual(['loading', 'ready', 'device-lost']);
    expect(messages[2]).toEqual({ type: 'device-lost', reason: 'destroyed: Device was destroyed.' });
  });

  it('a run that fails inside WebGPU is a lost device, not a run error; on WASM the same error stays a run error', async () => {
    const gpuError = new Error('Failed to run: WebGPU device was lost');
    for (const backend of ['webgpu', 'wasm'] as const) {
      const messages: EngineMessage[] = [];
      const host = createEngineHost((message) => void messages.push(message), engineWith({ traceError: gpuError }).engine);
      await host.receive(loadOn(backend));
      await host.receive({ type: 'run', requestId: 1, prompt: 'Hello' });
      expect(messages[messages.length - 1]!.type).toBe(backend === 'webgpu' ? 'device-lost' : 'error');
    }
  });

  it('says an onnxruntime GPU error in the browser’s own words', () => {
    const ort =
      "failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: /onnxruntime/core/providers/webgpu/buffer_manager.cc:643 void onnxruntime::webgpu::BufferManager::Download(WGPUBuffer, void *, size_t) const map_async_result.status == wgpu::MapAsyncStatus::Success was false. Failed to download data from buffer. wgpu::MapAsyncStatus value: 4, message: Failed to execute 'mapAsync' on 'GPUBuffer': Buffer was unmapped before mapping was resolved.\n";
    expect(shortGpuReason(ort)).toBe("Failed to execute 'mapAsync' on 'GPUBuffer': Buffer was unmapped before mapping was resolved.");
    expect(shortGpuReason('destroyed: Device was destroyed.')).toBe('destroyed: Device was destroyed.');
    expect(shortGpuReason('x'.repeat(300))).toHaveLength(140);
  });

  it('isGpuFailure names GPU failures, not the prompt or the model', () => {
    expect(isGpuFailure('Device was lost')).toBe(true);
    expect(isGpuFailure('GPUBuffer.mapAsync failed')).toBe(true);
    expect(isGpuFailure('[WebGPU] Kernel "[MatMul] /h.0/attn" failed')).toBe(true);
    expect(isGpuFailure('the prompt has 300 tokens, more than the 256 the model can see')).toBe(false);
    expect(isGpuFailure('tokenizer_config.json was not found')).toBe(false);
  });
});
