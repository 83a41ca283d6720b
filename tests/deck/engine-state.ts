// A ready engine with no Trace yet: the starting state the deck's unit tests vary.
import { DEFAULT_RUN_OPTIONS, type EngineState } from '../../src/engine/client';

export const READY_STATE: EngineState = {
  phase: 'ready',
  modelName: 'sotu-gpt',
  backend: 'wasm',
  backendNotice: null,
  model: null,
  progress: null,
  loadError: null,
  loadMs: 1,
  warmUpMs: 1,
  prompt: 'Hello',
  runOptions: DEFAULT_RUN_OPTIONS,
  trace: null,
  generation: null,
  running: false,
  runError: null,
  engineRestarts: 0,
  engineEvent: null,
};
