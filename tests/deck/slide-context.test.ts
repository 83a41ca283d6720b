// What the slides are told for each engine state: the Trace, or in words why there is none.
import { describe, expect, it } from 'vitest';
import type { EngineState } from '../../src/engine/client';
import { READY_STATE } from './engine-state';
import { INVITATION, slideContext } from '../../src/deck/slide-context';
import type { Generation, Trace } from '../../src/trace';

const base: EngineState = READY_STATE;

describe('slideContext', () => {
  it('passes the Trace on, with its generation', () => {
    const trace = { prompt: 'Hello' } as Trace;
    expect(slideContext({ ...base, trace })).toEqual({ trace, waitingMessage: '', generation: null });
    const generation = { prompt: 'Hello' } as Generation;
    expect(slideContext({ ...base, trace, generation }).generation).toBe(generation);
  });

  it('invites a prompt when it is empty or blank', () => {
    for (const prompt of ['', ' \n ']) expect(slideContext({ ...base, prompt }).waitingMessage).toBe(INVITATION);
  });

  it('names the file a model could not load, missing or unreadable, even with no prompt', () => {
    const missing = { ...base, phase: 'failed' as const, prompt: '', loadError: { message: 'file was not found locally at "/models/sotu-gpt/onnx/model.onnx"', file: 'onnx/model.onnx' } };
    expect(slideContext(missing).waitingMessage).toBe('The model sotu-gpt could not load: its file onnx/model.onnx is missing.');
    const corrupt = { ...missing, loadError: { message: 'protobuf parsing failed', file: 'onnx/model.onnx' } };
    expect(slideContext(corrupt).waitingMessage).toContain('onnx/model.onnx could not be read (protobuf parsing failed)');
  });

  it('says a model models.json does not list is not in the deck (a mistyped ?model=), and lists what is', () => {
    const mistyped = {
      ...base,
      phase: 'failed' as const,
      modelName: 'smollm2-360m-instruc',
      listedModels: ['sotu-gpt', 'smollm2-360m-instruct'],
      loadError: { message: 'tokenizer_config.json was not found', file: 'tokenizer_config.json' },
    };
    expect(slideContext(mistyped).waitingMessage).toBe(
      "This deck has no model smollm2-360m-instruc (its models.json lists sotu-gpt, smollm2-360m-instruct): check ?model= in the link, or choose one in the first slide's menu.",
    );
    // Listed, or no list: the file is to blame, as before.
    expect(slideContext({ ...mistyped, modelName: 'sotu-gpt' }).waitingMessage).toBe('The model sotu-gpt could not load: its file tokenizer_config.json is missing.');
    expect(slideContext({ ...mistyped, listedModels: null }).waitingMessage).toContain('its file tokenizer_config.json is missing');
  });

  it('says how far loading is', () => {
    const loading = { ...base, phase: 'loading' as const, progress: { file: 'onnx/model.onnx', fraction: 0.426 } };
    expect(slideContext(loading).waitingMessage).toBe('Loading sotu-gpt… 42% (onnx/model.onnx)');
  });
});
