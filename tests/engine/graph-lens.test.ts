// The logit lens computed in the graph (trace.lens.*, src/convert/logit-lens-graph.ts) against a JavaScript lens
// over the weights read from the model file (logitLensFromWeights; the engine itself holds no weights): the same ids and
// probabilities within 1e-5, on the embedded model and on random GPT-2 (deep enough for the spread stages,
// untied head) and Llama (grouped-query, tied) checkpoints. The answer's first step gives the same lens (its own switch).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { convertModel } from '../../src/convert/index';
import { readInitializers } from '../../src/convert/onnx-reader';
import { forward } from '../../src/engine/forward';
import { graphLogitLens } from '../../src/engine/graph-lens';
import { presentToPast } from '../../src/engine/kv-cache';
import type { LoadedModel } from '../../src/engine/load-model';
import { describeToken, runTrace, tokenize } from '../../src/engine/run-trace';
import { extrasWeightNames, logitLensFromWeights } from '../../src/engine/trace-extras';
import { logitLensOutputs, logitLensStages, type LogitLensRow } from '../../src/trace';
import { END_OF_TEXT, writeModelFolder } from '../fixtures/model-folder';
import { makeRandomGpt2Checkpoint, makeRandomLlamaCheckpoint } from '../convert/random-checkpoint';

const modelsRoot = mkdtempSync(join(tmpdir(), 'graph-lens-'));
afterAll(() => rmSync(modelsRoot, { recursive: true, force: true }));

function randomFolder(name: string, checkpoint: { config: Record<string, unknown>; bytes: Uint8Array }): string {
  const config = { ...checkpoint.config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
  return writeModelFolder(modelsRoot, name, { config, onnx: convertModel({ config, weights: checkpoint.bytes }), withTokenizer: true });
}

const models: { name: string; folder: () => string; stages: number }[] = [
  { name: 'the embedded model', folder: () => 'assets/models/sotu-gpt', stages: 5 },
  {
    name: 'a random 12-layer GPT-2 with its own head',
    folder: () => randomFolder('gpt2-12', makeRandomGpt2Checkpoint({ seed: 71, vocab_size: 8192, n_embd: 32, n_head: 4, n_layer: 12, n_positions: 64, untied: true })),
    stages: 11,
  },
  {
    name: 'a random Llama with grouped-query attention and a tied head',
    folder: () => randomFolder('llama-3', makeRandomLlamaCheckpoint({ seed: 72, vocab_size: 8192, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2, tied: true })),
    stages: 4,
  },
];

const prompt = 'We must lower taxes for working families and protect chocolate.';

describe.each(models)('the in-graph logit lens on $name', ({ folder, stages }) => {
  let loaded: LoadedModel;
  afterAll(async () => loaded?.model.dispose());

  it('equals the JavaScript lens over the weights: same ids, probabilities within 1e-5', async () => {
    const path = folder();
    loaded = await loadModelInNode(path);
    expect(loaded.traceOutputs).toEqual(expect.arrayContaining(Object.values(logitLensOutputs)));
    const trace = await runTrace(loaded, prompt);
    for (const name of Object.values(logitLensOutputs)) expect(trace.tensors[name]).toBeUndefined(); // rows, not tensors

    const weights = readInitializers(new Uint8Array(readFileSync(join(path, 'onnx', 'model.onnx'))));
    const javascriptLens = logitLensFromWeights(
      { tensors: trace.tensors, nLayer: loaded.info.nLayer, layerNormEpsilon: loaded.info.layerNormEpsilon, decode: (id) => describeToken(loaded, id).text },
      weights,
      extrasWeightNames(loaded.info.architecture),
    );
    const graphLens: LogitLensRow[] = trace.extras!.logitLens;
    expect(graphLens).toHaveLength(stages);
    expect(graphLens.map((row) => row.label)).toEqual(logitLensStages(loaded.info.nLayer).map((stage) => stage.label));
    expect(javascriptLens.map((row) => row.label)).toEqual(graphLens.map((row) => row.label));
    expect(trace.extras!.logitLensMissing).toEqual([]);
    graphLens.forEach((row, stage) => {
      expect(row.top.map((c) => c.id)).toEqual(javascriptLens[stage].top.map((c) => c.id));
      row.top.forEach((candidate, rank) => {
        const expected = javascriptLens[stage].top[rank];
        expect(Math.abs(candidate.prob - expected.prob)).toBeLessThanOrEqual(1e-5);
        expect(Math.abs(candidate.logit - expected.logit)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(expected.logit)));
        expect(candidate.token).toBe(expected.token);
      });
    });
    // The Trace's rows are the graph's own (not the fallback), and the last row is the model's own answer.
    const outputs = await forward(loaded, trace.tokens.map((token) => token.id), 0, null, { allOutputs: true }); // every output, the lens's too
    expect(graphLogitLens(outputs, loaded.traceOutputs, loaded.info.nLayer, (id) => describeToken(loaded, id).text)).toEqual(graphLens);
    expect(graphLens.at(-1)!.top.map((c) => c.id)).toEqual(trace.topk.slice(0, 5).map((c) => c.id));
  }, 120_000);

  it('the answer\'s first step gives the same lens, from a cache of the earlier tokens too, and only its outputs and the step\'s', async () => {
    const ids = tokenize(loaded, prompt);
    const decode = (id: number) => describeToken(loaded, id).text;
    const traced = graphLogitLens(await forward(loaded, ids, 0, null, { allOutputs: true }), loaded.traceOutputs, loaded.info.nLayer, decode)!;
    const past = presentToPast(await forward(loaded, ids.slice(0, -1), 0, null));
    const step = await forward(loaded, ids.slice(-1), ids.length - 1, past, { lens: true });
    expect(Object.keys(step).filter((name) => name.startsWith('trace.')).sort()).toEqual(Object.values(logitLensOutputs).sort());
    const fromStep = graphLogitLens(step, loaded.traceOutputs, loaded.info.nLayer, decode)!;
    expect(fromStep.map((row) => row.top.map((c) => c.id))).toEqual(traced.map((row) => row.top.map((c) => c.id)));
    fromStep.forEach((row, stage) => row.top.forEach((c, rank) => expect(Math.abs(c.prob - traced[stage].top[rank].prob)).toBeLessThanOrEqual(1e-5)));
    // A plain step fetches none of them.
    const plainStep = await forward(loaded, ids.slice(-1), ids.length - 1, past);
    expect(Object.keys(plainStep).filter((name) => name.startsWith('trace.'))).toEqual([]);
  }, 60_000);
});

describe('a plain graph (no trace outputs)', () => {
  it('has no lens outputs either', async () => {
    const checkpoint = makeRandomGpt2Checkpoint({ seed: 73, vocab_size: 8192, n_embd: 16, n_layer: 2 });
    const config = { ...checkpoint.config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
    const folder = writeModelFolder(modelsRoot, 'plain', { config, onnx: convertModel({ config, weights: checkpoint.bytes, traceOutputs: false }), withTokenizer: true });
    const loaded = await loadModelInNode(folder);
    expect(loaded.traceOutputs).toEqual([]);
    const trace = await runTrace(loaded, prompt);
    expect(trace.extras!.logitLens).toEqual([]); // no lens outputs: the engine computes no lens of its own
    await loaded.model.dispose();
  }, 60_000);
});
