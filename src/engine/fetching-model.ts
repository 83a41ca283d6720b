// A model whose session is asked for some of its outputs only. transformers.js's run() always asks for every
// output; onnxruntime-web copies each one it is asked for out of WebAssembly memory (about 8 µs an output in WASM,
// the embedded model at 8 tokens; on WebGPU it reads it back from the GPU). So the model's forward() is handed a
// view of the session whose run() names the fetches; the rest (input checks, the cache's empty first inputs, the
// runs' serialisation on the web) stays the library's.
import type { LoadedModel } from './load-model';

interface OrtSession {
  outputNames: readonly string[];
  run(feeds: unknown, fetches?: unknown, options?: unknown): Promise<unknown>;
}
export type Forwardable = { forward(inputs: Record<string, unknown>): Promise<unknown> };

const views = new WeakMap<LoadedModel['model'], Map<string, Forwardable>>();

/** The model asking its session for the outputs `wanted` keeps (made once per model and `key`). */
export function fetchingModel(model: LoadedModel['model'], key: string, wanted: (output: string) => boolean): Forwardable {
  let byKey = views.get(model);
  if (!byKey) views.set(model, (byKey = new Map()));
  let view = byKey.get(key);
  if (!view) {
    const sessions = model.sessions as Record<string, OrtSession>;
    const session = sessions.model;
    const fetches = session.outputNames.filter(wanted);
    const asking = Object.create(session, { run: { value: (feeds: unknown, options?: unknown) => session.run(feeds, fetches, options) } }) as OrtSession;
    view = Object.create(model, { sessions: { value: { ...sessions, model: asking } } }) as Forwardable;
    byKey.set(key, view);
  }
  return view;
}
