// The deck's engine on a converted Llama-layout model (tests/fixtures/tiny-llama.ts): what the slides
// need is there, named for this family (RMSNorm, RoPE, SwiGLU, shared key/value heads), and the
// weight-derived values use its own weights (model.norm, lm_head).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { layerOutput } from '../../src/trace/output-names';
import { generate } from '../../src/engine/generate';
import type { LoadedModel } from '../../src/engine/load-model';
import { runTrace, tokenize } from '../../src/engine/run-trace';
import type { Trace } from '../../src/trace';
import { TINY_LLAMA_SHAPE, writeTinyLlamaFolder } from '../fixtures/tiny-llama';

const modelsRoot = mkdtempSync(join(tmpdir(), 'llama-engine-'));
let loaded: LoadedModel;
let trace: Trace;

beforeAll(async () => {
  loaded = await loadModelInNode(writeTinyLlamaFolder(modelsRoot));
  trace = await runTrace(loaded, 'The state of the union is strong');
}, 120_000);

afterAll(async () => {
  await loaded?.model.dispose();
  rmSync(modelsRoot, { recursive: true, force: true });
});

describe('the engine on a Llama-layout model', () => {
  it('reads the architecture and counts the parameters from config.json', () => {
    const shape = TINY_LLAMA_SHAPE;
    expect(loaded.info.architecture).toEqual({ family: 'llama', norm: 'rmsnorm', positions: 'rope', feedForward: 'swiglu', kvHeads: 2, ropeTheta: 10000, tiedEmbeddings: false, qkvBias: false });
    const attention = shape.width * shape.heads * shape.headDim + 2 * shape.width * shape.kvHeads * shape.headDim + shape.heads * shape.headDim * shape.width;
    const perLayer = 2 * shape.width + attention + 3 * shape.width * shape.mlp;
    expect(loaded.info.parameterCount).toBe(2 * shape.vocab * shape.width + shape.layers * perLayer + shape.width);
  });

  it('has every trace output a Llama graph exposes, none missing, and no learned positions', () => {
    expect(loaded.missingOutputs).toEqual([]);
    expect(trace.missing).toEqual([]);
    expect(trace.tensors['trace.embed.positions']).toBeUndefined();
    expect(trace.tensors[layerOutput(0, 'attn.q_unrotated')].shape).toEqual([4, trace.tokens.length, 16]);
    // Keys expanded to the 4 query heads: heads 0 and 1 read key/value head 0, heads 2 and 3 head 1.
    const keys = trace.tensors[layerOutput(0, 'attn.k')];
    expect(keys.shape).toEqual([4, trace.tokens.length, 16]);
    const head = (h: number) => Array.from(keys.data.subarray(h * trace.tokens.length * 16, (h + 1) * trace.tokens.length * 16));
    expect(head(1)).toEqual(head(0));
    expect(head(3)).toEqual(head(2));
    expect(head(2)).not.toEqual(head(0));
  });

  it('computes the logit lens with RMSNorm and the untied lm_head: its last row is the model\'s own answer', () => {
    const lens = trace.extras!.logitLens;
    expect(lens.map((row) => row.label)).toEqual(['embeddings', 'layer 1', 'layer 2']);
    lens.at(-1)!.top.forEach((candidate, rank) => {
      expect(candidate.id).toBe(trace.topk[rank].id);
      expect(candidate.prob).toBeCloseTo(trace.topk[rank].prob, 5);
    });
    expect(trace.extras!.weightExcerpt?.name).toBe('model.layers.0.self_attn.q_proj.weight');
    expect(trace.extras!.embeddingSpace.points.length).toBeGreaterThan(0);
  });

  it('generates the same tokens with the key/value cache as without it', async () => {
    const ids = tokenize(loaded, 'The state of the union is strong');
    const cached = await generate(loaded, ids, { maxNewTokens: 8, stopAtEndOfText: false });
    const uncached = await generate(loaded, ids, { maxNewTokens: 8, stopAtEndOfText: false, useCache: false });
    expect(cached.map((step) => step.id)).toEqual(uncached.map((step) => step.id));
    expect(new Set(cached.map((step) => step.id)).size).toBeGreaterThan(1); // not one token repeated: the check means something
  });
});
