// Weight-derived values in the Trace, checked against the model's own outputs where they overlap.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInitializers } from '../../src/convert/onnx-reader';
import { loadModelInNode } from '../../src/cli/model-folder';
import type { LoadedModel } from '../../src/engine/load-model';
import { runTrace, tokenize } from '../../src/engine/run-trace';
import { ANALOGY } from '../../src/engine/trace-extras';
import { cosine } from '../../src/maths/vectors';
import type { Trace } from '../../src/trace';

let loaded: LoadedModel;
let trace: Trace;
// The weights, read here to check the values against: the engine holds none (they come from trace-extras.json).
const weights = readInitializers(new Uint8Array(readFileSync('assets/models/sotu-gpt/onnx/model.onnx')));
beforeAll(async () => {
  loaded = await loadModelInNode('sotu-gpt');
  trace = await runTrace(loaded, 'We must lower taxes for working families and protect chocolate.');
});

describe('trace extras', () => {
  it('logit lens after the last layer equals the model output', () => {
    const lens = trace.extras!.logitLens;
    expect(lens.map((r) => r.label)).toEqual(['embeddings', 'layer 1', 'layer 2', 'layer 3', 'layer 4']);
    const last = lens.at(-1)!.top;
    last.forEach((candidate, i) => {
      expect(candidate.id).toBe(trace.topk[i].id);
      expect(candidate.prob).toBeCloseTo(trace.topk[i].prob, 4);
    });
  });

  it('replays the merges of each word down to its real tokens', () => {
    for (const word of trace.extras!.merges) {
      const final = word.steps.at(-1)?.pieces ?? word.start;
      expect(final.map((piece) => loaded.tokenizer.convert_tokens_to_ids(piece))).toEqual(tokenize(loaded, word.word));
      const ranks = word.steps.map((s) => s.rank);
      word.steps.forEach((step) => expect(step.rank).toBeGreaterThanOrEqual(0));
      expect(ranks.length).toBe(word.start.length - final.length); // each merge joins two pieces
    }
  });

  it('finds analogy neighbours by cosine, leaving out the inputs', () => {
    const { words, ids, neighbours } = trace.extras!.analogy;
    expect(words).toEqual(ANALOGY);
    const wte = weights.get('transformer.wte.weight')!;
    const width = wte.shape[1];
    const row = (id: number) => wte.data.subarray(id * width, (id + 1) * width);
    const mean = (list: number[]) => Array.from({ length: width }, (_, i) => list.reduce((s, id) => s + row(id)[i], 0) / list.length);
    const [a, b, c] = ids.map(mean);
    const target = a.map((v, i) => v - b[i] + c[i]);
    expect(neighbours).toHaveLength(8);
    for (const n of neighbours) {
      expect(ids.flat()).not.toContain(n.id);
      expect(n.cosine).toBeCloseTo(cosine(row(n.id), target), 6);
    }
    expect([...neighbours].sort((x, y) => y.cosine - x.cosine)).toEqual(neighbours);
  });

  it('maps the prompt words and reference words in two dimensions', () => {
    const { points, explainedVariance } = trace.extras!.embeddingSpace;
    expect(points.some((p) => p.fromPrompt && p.word === ' taxes')).toBe(true);
    for (const p of points) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    expect(explainedVariance[0]).toBeGreaterThanOrEqual(explainedVariance[1]);
    expect(explainedVariance[0] + explainedVariance[1]).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('excerpts a real weight matrix', () => {
    const excerpt = trace.extras!.weightExcerpt!;
    const weight = weights.get(excerpt.name)!;
    expect(excerpt.shape).toEqual([256, 768]);
    expect(excerpt.values[1][2]).toBe(weight.data[1 * 768 + 2]);
  });
});
