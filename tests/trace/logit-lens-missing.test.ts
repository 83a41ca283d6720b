// @vitest-environment happy-dom
// The engine records in the Trace which logit-lens stages it could not compute and why (trace.extras.logitLensMissing);
// src/trace's logitLensReading gives the slide the rows and those reasons, so the slide never re-derives engine logic.
// The embedded model computes its lens in the graph (trace.lens.*); the cases below are an older model's, without
// those outputs, whose lens the engine computes from the weights and the residual outputs.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import logitLens from '../../slides/17-logit-lens';
import { loadModelInNode } from '../../src/cli/model-folder';
import type { LoadedModel } from '../../src/engine/load-model';
import { isLogitLensOutput } from '../../src/engine/graph-lens';
import { runTrace } from '../../src/engine/run-trace';
import { EVERY_LENS_STAGE, layerOutput, logitLensReading, logitLensStages, type Trace } from '../../src/trace';
import { renderSlide } from '../slides/render-slide';

const PROMPT = 'We must lower taxes for working families.';
const LAYER_2_OUTPUT = layerOutput(1, 'resid.after_mlp');

let loaded: LoadedModel;
let whole: Trace;
beforeAll(async () => {
  loaded = await loadModelInNode('sotu-gpt');
  whole = await runTrace(loaded, PROMPT);
});
afterEach(() => document.body.replaceChildren());
/** The trace outputs of a model converted before the lens moved into the graph. */
const olderModelOutputs = () => loaded.traceOutputs.filter((name) => !isLogitLensOutput(name));

describe('what the logit lens is missing, and why', () => {
  it('records nothing missing when the graph exposes every stage and the weights are read', () => {
    expect(whole.extras!.logitLensMissing).toEqual([]);
    const reading = logitLensReading(whole)!;
    expect(reading.rows.map((row) => row.label)).toEqual(logitLensStages(whole.model.nLayer).map((stage) => stage.label));
    expect(reading.missing).toEqual([]);
    expect(renderSlide(logitLens, whole).querySelector('.live-missing')).toBeNull();
  });

  it('records a stage whose residual output the graph does not expose, and the slide names it with the reason', async () => {
    const withoutLayer2 = { ...loaded, traceOutputs: olderModelOutputs().filter((name) => name !== LAYER_2_OUTPUT) };
    const trace = await runTrace(withoutLayer2, PROMPT);
    expect(trace.extras!.logitLens.map((row) => row.label)).toEqual(['embeddings', 'layer 1', 'layer 3', 'layer 4']);
    const expected = [{ part: 'layer 2', needs: LAYER_2_OUTPUT, reason: "the model's graph does not expose it" }];
    expect(trace.extras!.logitLensMissing).toEqual(expected);
    expect(logitLensReading(trace)!.missing).toEqual(expected);
    // The rows that remain are the whole Trace's rows: a missing stage changes nothing else.
    const olderWhole = await runTrace({ ...loaded, traceOutputs: olderModelOutputs() }, PROMPT); // the same engine path, every stage
    expect(trace.extras!.logitLens).toEqual(olderWhole.extras!.logitLens.filter((row) => row.label !== 'layer 2'));
    const box = renderSlide(logitLens, trace).querySelector('.live-missing')!;
    expect(box.getAttribute('data-missing')).toBe(LAYER_2_OUTPUT);
    expect(box.textContent).toContain("1 stage could not be shown: the model's graph does not expose it.");
  });

  it('records the final norm weight it could not read as stopping every stage, and the slide names that weight', async () => {
    const weights = new Map([...loaded.weights].filter(([name]) => name !== 'transformer.ln_f.weight'));
    const trace = await runTrace({ ...loaded, weights, traceOutputs: olderModelOutputs() }, PROMPT);
    expect(trace.extras!.logitLens).toEqual([]);
    expect(trace.extras!.logitLensMissing).toEqual([{ part: EVERY_LENS_STAGE, needs: 'transformer.ln_f.weight', reason: 'the weight could not be read from the model' }]);
    const box = renderSlide(logitLens, trace).querySelector('.live-missing')!;
    expect(box.getAttribute('data-missing')).toBe('trace.extras.logitLens transformer.ln_f.weight');
  });

  it('gives a stage without a row and without a recorded reason a reason of its own', () => {
    const rows = whole.extras!.logitLens.filter((row) => row.label !== 'layer 3');
    const reading = logitLensReading({ ...whole, extras: { ...whole.extras!, logitLens: rows } })!;
    expect(reading.missing).toEqual([{ part: 'layer 3', needs: layerOutput(2, 'resid.after_mlp'), reason: 'this Trace holds no row for it' }]);
    expect(logitLensReading({ ...whole, extras: null })).toBeNull();
  });
});
