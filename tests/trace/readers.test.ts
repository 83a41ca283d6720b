// src/trace's typed readers against a real Trace of the embedded model (assets/models/sotu-gpt): the values they
// return are the Trace's own, at the right index, and a missing or misshapen output is named with why.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { runTrace } from '../../src/engine/run-trace';
import {
  attentionWeights,
  headVectors,
  layerOutput,
  missingOutputs,
  residualStream,
  residualStreamStages,
  tensorAt,
  type Trace,
} from '../../src/trace';

let trace: Trace;
beforeAll(async () => {
  trace = await runTrace(await loadModelInNode('sotu-gpt'), 'We must lower taxes for working families.');
});

function without(name: string, listed: boolean): Trace {
  const tensors = { ...trace.tensors };
  delete tensors[name];
  return { ...trace, tensors, missing: listed ? [...trace.missing, name] : trace.missing };
}

describe('typed readers of the Trace', () => {
  it('read one head of one layer as a tokens × tokens matrix of attention weights', () => {
    const n = trace.tokens.length;
    const probs = trace.tensors[layerOutput(1, 'attn.probs')];
    const weights = attentionWeights(trace, 1, 2);
    if (!weights.ok) throw new Error(weights.problem);
    expect(weights.tokens).toBe(n);
    for (let query = 0; query < n; query++) {
      const row = weights.row(query);
      expect(row).toHaveLength(n);
      for (let key = 0; key < n; key++) expect(weights.at(query, key)).toBe(tensorAt(probs, 2, query, key));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5); // softmax over the keys
      for (let key = query + 1; key < n; key++) expect(row[key]).toBe(0); // the causal mask
    }
    const noHead = attentionWeights(trace, 1, trace.model.nHead);
    expect(noHead.ok).toBe(false);
  });

  it("read a token's query, key and value in one head", () => {
    const vectors = headVectors(trace, 2, 1, 3);
    if (!vectors.ok) throw new Error(vectors.problem);
    for (const [role, vector] of [['q', vectors.q], ['k', vectors.k], ['v', vectors.v]] as const) {
      const tensor = trace.tensors[layerOutput(2, `attn.${role}`)];
      expect(vector).toHaveLength(trace.model.headDim);
      vector.forEach((value, i) => expect(value).toBe(tensorAt(tensor, 1, 3, i)));
    }
  });

  it("read a token's residual stream at every stage, each feed-forward stage its attention stage plus the MLP's output", () => {
    const token = 4;
    const stream = residualStream(trace, token);
    if (!stream.ok) throw new Error(stream.problem);
    expect(stream.stages.map((s) => s.name)).toEqual(residualStreamStages(trace.model.nLayer).map((s) => s.name));
    expect(stream.stages).toHaveLength(2 * trace.model.nLayer + 2);
    for (let layer = 0; layer < trace.model.nLayer; layer++) {
      const afterAttn = stream.stages.find((s) => s.layer === layer && s.after === 'attention')!.vector;
      const afterMlp = stream.stages.find((s) => s.layer === layer && s.after === 'feed-forward')!.vector;
      const mlpOut = trace.tensors[layerOutput(layer, 'mlp.out')];
      afterMlp.forEach((value, i) => expect(value).toBeCloseTo(afterAttn[i] + tensorAt(mlpOut, token, i), 4));
    }
  });

  it('name what is missing and why, instead of reading it', () => {
    const name = layerOutput(1, 'attn.k');
    const unexposed = without(name, true);
    const read = headVectors(unexposed, 1, 0, 0);
    expect(read).toEqual({
      ok: false,
      missing: [name],
      problem: `This model's graph does not expose ${name}, so there is nothing real to show for the query, key and value of layer 1.`,
    });
    expect(missingOutputs(unexposed, [layerOutput(1, 'attn.q'), name])).toEqual([{ part: name, needs: name, reason: "the model's graph does not expose it" }]);
    expect(missingOutputs(without(name, false), [name])[0].reason).toBe('this Trace does not hold it');
    const misshapen = { ...trace, tensors: { ...trace.tensors, [name]: { shape: [1, 2], data: new Float32Array(2) } } };
    const wrong = headVectors(misshapen, 1, 0, 0);
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong).toMatchObject({ missing: [], problem: expect.stringContaining(`${name} has shape [1, 2]`) });
    expect(residualStream(without(layerOutput(0, 'resid.after_attn'), true), 0)).toMatchObject({ ok: false, missing: [layerOutput(0, 'resid.after_attn')] });
  });
});
