// @vitest-environment happy-dom
// The engine records in the Trace which logit-lens stages it could not compute and why (trace.extras.logitLensMissing);
// src/trace's logitLensReading gives the slide the rows and those reasons, so the slide never re-derives engine logic.
// The embedded model computes its lens in the graph (trace.lens.*); an older model without those outputs has no lens
// (the engine holds no weights to compute one), and every stage says why.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import logitLens from '../../slides/17-logit-lens';
import { loadModelInNode } from '../../src/cli/model-folder';
import type { LoadedModel } from '../../src/engine/load-model';
import { isLogitLensOutput } from '../../src/trace/output-names';
import { runTrace } from '../../src/engine/run-trace';
import { EVERY_LENS_STAGE, layerOutput, logitLensReading, logitLensStages, type Trace } from '../../src/trace';
import { renderSlide } from '../slides/render-slide';

const PROMPT = 'We must lower taxes for working families.';

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

  it('records every stage as missing for a model converted before the lens moved into the graph, and the slide says why', async () => {
    const trace = await runTrace({ ...loaded, traceOutputs: olderModelOutputs() }, PROMPT);
    expect(trace.extras!.logitLens).toEqual([]);
    const expected = [{ part: EVERY_LENS_STAGE, needs: 'trace.lens.ids', reason: "the model's graph does not compute it: convert it again with today's converter" }];
    expect(trace.extras!.logitLensMissing).toEqual(expected);
    expect(logitLensReading(trace)!.missing).toEqual(expected);
    const box = renderSlide(logitLens, trace).querySelector('.live-missing')!;
    expect(box.getAttribute('data-missing')).toBe('trace.extras.logitLens trace.lens.ids');
  });

  it('gives a stage without a row and without a recorded reason a reason of its own', () => {
    const rows = whole.extras!.logitLens.filter((row) => row.label !== 'layer 3');
    const reading = logitLensReading({ ...whole, extras: { ...whole.extras!, logitLens: rows } })!;
    expect(reading.missing).toEqual([{ part: 'layer 3', needs: layerOutput(2, 'resid.after_mlp'), reason: 'this Trace holds no row for it' }]);
    expect(logitLensReading({ ...whole, extras: null })).toBeNull();
  });
});
