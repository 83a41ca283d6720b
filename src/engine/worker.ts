// The engine worker: the only code in the browser that runs the model. It connects the engine host
// (engine-host.ts: queueing, load and run, errors) to the worker's messages. It never touches the DOM.
import { streamAnswer } from './answer-stream';
import { browserModelLoader, watchGpuDevice } from './browser-loader';
import { createEngineHost } from './engine-host';
import type { EngineRequest } from './protocol';
import { runTrace } from './run-trace';

const host = createEngineHost((message, transfer = []) => (self as unknown as Worker).postMessage(message, transfer), {
  load: browserModelLoader(),
  trace: runTrace,
  answer: streamAnswer,
  watchGpu: (_model, lost) => watchGpuDevice(lost),
});
self.addEventListener('message', (event: MessageEvent<EngineRequest>) => void host.receive(event.data));
