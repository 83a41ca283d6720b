// trace-extras.json (issue 13 item 1): the values the converter writes equal what the weights give, computed here
// independently from the checkpoint's own tensors (brute-force cosine over the vocabulary, the excerpt's rows, the
// map's axes as principal axes of the reference words), on the embedded model and on random GPT-2 and Llama
// checkpoints; and the engine's map places the prompt's words by their graph embeddings on those axes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { traceExtrasOf, writeTraceExtras } from '../../src/cli/trace-extras-writer';
import { convertModel } from '../../src/convert/index';
import { readInitializers } from '../../src/convert/onnx-reader';
import { ANALOGY, EMBEDDING_MAP_WORDS, NEIGHBOURS, TRACE_EXTRAS_FILE, type TraceExtrasFile } from '../../src/convert/trace-extras-file';
import { runTrace, tokenize } from '../../src/engine/run-trace';
import { extrasWeightNames } from '../../src/engine/trace-extras';
import { modelInfoFromConfig, type HfConfig } from '../../src/engine/model-info';
import { END_OF_TEXT, writeModelFolder } from '../fixtures/model-folder';
import { makeRandomGpt2Checkpoint, makeRandomLlamaCheckpoint } from './random-checkpoint';

const modelsRoot = mkdtempSync(join(tmpdir(), 'trace-extras-file-'));
afterAll(() => rmSync(modelsRoot, { recursive: true, force: true }));

function randomFolder(name: string, checkpoint: { config: Record<string, unknown>; bytes: Uint8Array }): string {
  const config = { ...checkpoint.config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
  return writeModelFolder(modelsRoot, name, { config, onnx: convertModel({ config, weights: checkpoint.bytes }), withTokenizer: true });
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
};

const models = [
  { name: 'the embedded model', folder: () => 'assets/models/sotu-gpt', written: true },
  { name: 'a random GPT-2 with its own head', folder: () => randomFolder('gpt2', makeRandomGpt2Checkpoint({ seed: 81, vocab_size: 8192, n_embd: 32, n_head: 4, n_layer: 2, n_positions: 64, untied: true })), written: false },
  { name: 'a random Llama with grouped-query attention', folder: () => randomFolder('llama', makeRandomLlamaCheckpoint({ seed: 82, vocab_size: 8192, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 })), written: false },
];

describe.each(models)('trace-extras.json of $name', ({ folder, written }) => {
  let path: string;
  let file: TraceExtrasFile;
  let embeddings: { shape: number[]; data: Float32Array };
  let excerpt: { name: string; shape: number[]; data: Float32Array };
  let tokenIds: (word: string) => number[];

  it('is written by the converter (the embedded model ships it) and reads back as computed', async () => {
    path = folder();
    if (!written) writeTraceExtras(path);
    file = JSON.parse(readFileSync(join(path, TRACE_EXTRAS_FILE), 'utf8')) as TraceExtrasFile;
    expect(JSON.parse(JSON.stringify(traceExtrasOf(path)))).toEqual(file); // the file on disk is today's values
    const config = JSON.parse(readFileSync(join(path, 'config.json'), 'utf8')) as HfConfig;
    const names = extrasWeightNames(modelInfoFromConfig('m', config).architecture);
    const weights = readInitializers(new Uint8Array(readFileSync(join(path, 'onnx', 'model.onnx'))));
    embeddings = weights.get(names.embeddings)!;
    excerpt = { name: names.excerpt, ...weights.get(names.excerpt)! };
    const loaded = await loadModelInNode(path);
    tokenIds = (word) => tokenize(loaded, word);
    expect(loaded.extrasFile).toEqual(file);
    await loaded.model.dispose();
  }, 120_000);

  it('excerpts the weight matrix exactly', () => {
    expect(file.weightExcerpt!.name).toBe(excerpt.name);
    expect(file.weightExcerpt!.shape).toEqual(excerpt.shape);
    file.weightExcerpt!.values.forEach((row, r) => row.forEach((value, c) => expect(value).toBe(excerpt.data[r * excerpt.shape[1] + c])));
  });

  it('lists the analogy\'s nearest tokens by cosine over the whole vocabulary, the inputs left out', () => {
    const [vocab, width] = embeddings.shape;
    const row = (id: number) => embeddings.data.subarray(id * width, (id + 1) * width);
    const ids = ANALOGY.map(tokenIds);
    expect(file.analogy.ids).toEqual(ids);
    const mean = (list: number[]) => Array.from({ length: width }, (_, i) => list.reduce((sum, id) => sum + row(id)[i], 0) / list.length);
    const [a, b, c] = ids.map(mean);
    const target = a.map((v, i) => v - b[i] + c[i]);
    const cosineOf = (id: number) => dot(row(id), target) / Math.sqrt(dot(row(id), row(id)) * dot(target, target));
    const ranked = [...Array(vocab).keys()].filter((id) => !ids.flat().includes(id)).map((id) => ({ id, cosine: cosineOf(id) })).sort((x, y) => y.cosine - x.cosine);
    expect(file.analogy.neighbours.map((n) => n.id)).toEqual(ranked.slice(0, NEIGHBOURS).map((n) => n.id));
    file.analogy.neighbours.forEach((n, i) => expect(n.cosine).toBeCloseTo(ranked[i].cosine, 9));
  });

  it('places the single-token reference words on their first two principal axes', () => {
    const width = embeddings.shape[1];
    const row = (id: number) => embeddings.data.subarray(id * width, (id + 1) * width);
    const single = EMBEDDING_MAP_WORDS.filter((word) => tokenIds(word).length === 1);
    expect(file.embeddingMap.words.map((w) => w.word)).toEqual(single.filter((word, i) => single.findIndex((other) => tokenIds(other)[0] === tokenIds(word)[0]) === i));
    expect(file.embeddingMap.skippedWords).toEqual(EMBEDDING_MAP_WORDS.filter((word) => tokenIds(word).length !== 1));
    const vectors = file.embeddingMap.words.map((w) => row(w.id));
    const mean = Array.from({ length: width }, (_, i) => vectors.reduce((sum, v) => sum + v[i], 0) / vectors.length);
    file.embeddingMap.mean.forEach((m, i) => expect(m).toBeCloseTo(mean[i], 6));
    const centred = vectors.map((v) => Array.from(v, (x, i) => x - mean[i]));
    const [first, second] = file.embeddingMap.axes;
    expect(dot(first, first)).toBeCloseTo(1, 9);
    expect(dot(second, second)).toBeCloseTo(1, 9);
    expect(Math.abs(dot(first, second))).toBeLessThan(1e-6);
    // Each axis is an eigenvector of the scatter matrix: Σ (a·c) c = λ a.
    const variances = [first, second].map((axis) => {
      const image = new Array(width).fill(0);
      for (const c of centred) {
        const along = dot(c, axis);
        for (let i = 0; i < width; i++) image[i] += along * c[i];
      }
      const lambda = dot(image, axis);
      const residual = Math.sqrt(image.reduce((sum, x, i) => sum + (x - lambda * axis[i]) ** 2, 0));
      expect(residual).toBeLessThan(1e-5 * Math.max(1, lambda));
      return lambda;
    });
    expect(variances[0]).toBeGreaterThanOrEqual(variances[1]);
    // No reference word's own direction carries more variance than the first axis (it is the largest).
    for (const c of centred) {
      const unit = c.map((x) => x / Math.sqrt(dot(c, c)));
      expect(centred.reduce((sum, v) => sum + dot(v, unit) ** 2, 0)).toBeLessThanOrEqual(variances[0] * (1 + 1e-9));
    }
    file.embeddingMap.coordinates.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(dot(centred[i], first), 6);
      expect(y).toBeCloseTo(dot(centred[i], second), 6);
    });
    expect(file.embeddingMap.spread).toBeCloseTo(centred.reduce((sum, c) => sum + dot(c, c), 0), 6);
  });

  it('puts the prompt\'s words on the map from the graph\'s embeddings, centred with the reference words, and says the variance the axes keep', async () => {
    const loaded = await loadModelInNode(path);
    const trace = await runTrace(loaded, 'The war and the peace of the women and men of France, and taxes.');
    await loaded.model.dispose();
    const width = embeddings.shape[1];
    const row = (id: number) => embeddings.data.subarray(id * width, (id + 1) * width);
    const { points, explainedVariance } = trace.extras!.embeddingSpace;
    // Every shown point once: the prompt's word tokens, then the reference words not in the prompt.
    expect(new Set(points.map((p) => p.id)).size).toBe(points.length);
    expect(points.filter((p) => !p.fromPrompt).map((p) => p.id)).toEqual(file.embeddingMap.words.map((w) => w.id).filter((id) => !points.some((p) => p.fromPrompt && p.id === id)));
    const vectors = points.map((p) => row(p.id));
    const mean = Array.from({ length: width }, (_, i) => vectors.reduce((sum, v) => sum + v[i], 0) / vectors.length);
    const centred = vectors.map((v) => Array.from(v, (x, i) => x - mean[i]));
    const [first, second] = file.embeddingMap.axes;
    points.forEach((p, i) => {
      expect(p.x).toBeCloseTo(dot(centred[i], first), 5);
      expect(p.y).toBeCloseTo(dot(centred[i], second), 5);
    });
    const total = centred.reduce((sum, c) => sum + dot(c, c), 0);
    expect(explainedVariance[0]).toBeCloseTo(centred.reduce((sum, c) => sum + dot(c, first) ** 2, 0) / total, 6);
    expect(explainedVariance[1]).toBeCloseTo(centred.reduce((sum, c) => sum + dot(c, second) ** 2, 0) / total, 6);
    expect(trace.extras!.analogy.neighbours.map((n) => n.id)).toEqual(file.analogy.neighbours.map((n) => n.id));
    expect(trace.extras!.weightExcerpt).toEqual(file.weightExcerpt);
  }, 60_000);
});
