// Direct logit attribution (issue 14): the engine's components of the top token's logit and of the top-two gap
// add up to the model's own value, and equal the same decomposition computed in float64 from the independent
// reference forward pass, on the embedded model and on random GPT-2 and Llama checkpoints (GQA, o_proj bias).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { convertModel } from '../../src/convert/index';
import { readInitializers } from '../../src/convert/onnx-reader';
import { computeAttribution, isAttributionOutput, readAttributionOutputs } from '../../src/engine/attribution';
import type { LoadedModel } from '../../src/engine/load-model';
import { runTrace, tokenize } from '../../src/engine/run-trace';
import { extrasWeightNames } from '../../src/engine/trace-extras';
import { attributeLogit, componentSum, rowDifference, type AttributionComponent, type AttributionParts } from '../../src/maths/attribution';
import { embedOutputs, layerOutput, type ModelInfo, type Trace } from '../../src/trace';
import { attributionOutputs } from '../../src/trace/output-names';
import { makeRandomGpt2Checkpoint, makeRandomLlamaCheckpoint } from '../convert/random-checkpoint';
import { referenceGpt2Forward, type ReferenceOutputs } from '../convert/reference-gpt2';
import { referenceLlamaForward } from '../convert/reference-llama';
import { END_OF_TEXT, writeModelFolder } from '../fixtures/model-folder';

type Parameters = Map<string, { shape: number[]; data: Float32Array }>;

/** Each layer's attention output projection (and its bias), by the checkpoint's names: the reference reads the weights, the engine does not. */
function outputProjectionNames(info: Pick<ModelInfo, 'architecture'>, layer: number): { weight: string; bias: string; layout: 'in-out' | 'out-in' } {
  return info.architecture.family === 'llama'
    ? { weight: `model.layers.${layer}.self_attn.o_proj.weight`, bias: `model.layers.${layer}.self_attn.o_proj.bias`, layout: 'out-in' }
    : { weight: `transformer.h.${layer}.attn.c_proj.weight`, bias: `transformer.h.${layer}.attn.c_proj.bias`, layout: 'in-out' };
}
const PROMPT = 'How do I bake chocolate chip cookies?';

/** The same parts the engine reads, from the float64 reference's trace (batch 1) and the checkpoint. */
function referenceParts(info: ModelInfo, reference: ReferenceOutputs, parameters: Parameters): AttributionParts {
  const last = (name: string) => {
    const tensor = reference.trace.get(name)!;
    const width = tensor.dims.at(-1)!;
    return tensor.data.subarray(tensor.data.length - width);
  };
  const names = extrasWeightNames(info.architecture);
  const finalBias = names.finalNormBias === null ? null : parameters.get(names.finalNormBias)!.data;
  return {
    finalResidual: last(layerOutput(info.nLayer - 1, 'resid.after_mlp')),
    finalNorm: { kind: info.architecture.norm, gain: parameters.get(names.finalNormGain)!.data, bias: finalBias, epsilon: info.layerNormEpsilon },
    tokenEmbedding: last(embedOutputs.tokens),
    positionEmbedding: info.architecture.positions === 'learned' ? last(embedOutputs.positions) : null,
    layers: Array.from({ length: info.nLayer }, (_, layer) => {
      const context = reference.trace.get(layerOutput(layer, 'attn.context'))!; // [1, h, T, hd]
      const [, heads, T, hd] = context.dims;
      const projection = outputProjectionNames(info, layer);
      return {
        headContexts: Array.from({ length: heads }, (_, head) => context.data.subarray((head * T + T - 1) * hd, (head * T + T) * hd)),
        projection: { weight: parameters.get(projection.weight)!.data, layout: projection.layout, bias: parameters.get(projection.bias)?.data ?? null },
        mlpOut: last(layerOutput(layer, 'mlp.out')),
      };
    }),
  };
}

const key = (c: AttributionComponent) => `${c.kind}:${c.layer}:${c.head}`;

/** Every assertion of the issue on one model: the engine's sums, and its components against the float64 ones. */
function expectAgreesWithReference(get: () => { trace: Trace; reference: ReferenceOutputs; parameters: Parameters; headName: string }) {
  it('adds up to the model\'s logit and top-two gap within 1e-4', () => {
    const { trace } = get();
    expect(trace.attributionMissing).toEqual([]);
    const attribution = trace.attribution!;
    expect(attribution.logit.target.id).toBe(trace.topk[0].id);
    expect(Math.abs(attribution.logit.sum - trace.topk[0].logit)).toBeLessThan(1e-4);
    expect(attribution.logit.modelValue).toBe(trace.topk[0].logit);
    expect(attribution.gap!.against!.id).toBe(trace.topk[1].id);
    expect(Math.abs(attribution.gap!.sum - (trace.topk[0].logit - trace.topk[1].logit))).toBeLessThan(1e-4);
  });

  it('equals the float64 reference\'s decomposition, whose sum is the reference logit to 1e-9', () => {
    const { trace, reference, parameters, headName } = get();
    const parts = referenceParts(trace.model, reference, parameters);
    const vocab = trace.model.vocabSize;
    const width = trace.model.nEmbd;
    const head = parameters.get(headName)!.data;
    const row = (id: number) => head.subarray(id * width, (id + 1) * width);
    const [top, second] = trace.topk;
    const logits = reference.logits.data;
    const lastLogit = (id: number) => logits[logits.length - vocab + id];

    const logit64 = attributeLogit(parts, row(top.id));
    expect(Math.abs(componentSum(logit64) - lastLogit(top.id))).toBeLessThan(1e-9);
    const gap64 = attributeLogit(parts, rowDifference(row(top.id), row(second.id)));
    expect(Math.abs(componentSum(gap64) - (lastLogit(top.id) - lastLogit(second.id)))).toBeLessThan(1e-9);

    // Same components, in the same order, each within 1e-4 of the float64 value.
    for (const [engine, exact] of [[trace.attribution!.logit.components, logit64], [trace.attribution!.gap!.components, gap64]]) {
      expect(engine.map(key)).toEqual(exact.map(key));
      const worst = Math.max(...engine.map((c, i) => Math.abs(c.value - exact[i].value)));
      expect(worst).toBeLessThan(1e-4);
    }
    expect(Math.abs(trace.attribution!.logit.sum - lastLogit(top.id))).toBeLessThan(1e-4);
  });

  it('names every part once: embeddings, every head of every layer, every MLP, the biases', () => {
    const { trace } = get();
    const { nLayer, nHead, architecture } = trace.model;
    const components = trace.attribution!.logit.components;
    expect(components.filter((c) => c.kind === 'head')).toHaveLength(nLayer * nHead);
    expect(components.filter((c) => c.kind === 'mlp').map((c) => c.layer)).toEqual([...Array(nLayer).keys()]);
    expect(components.filter((c) => c.kind === 'embed')).toHaveLength(1);
    expect(components.filter((c) => c.kind === 'pos')).toHaveLength(architecture.positions === 'learned' ? 1 : 0);
    expect(new Set(components.map(key)).size).toBe(components.length);
  });
}

describe('attribution on the embedded model (sotu-gpt)', () => {
  let state: { trace: Trace; reference: ReferenceOutputs; parameters: Parameters; headName: string };
  beforeAll(async () => {
    const loaded = await loadModelInNode('sotu-gpt');
    const trace = await runTrace(loaded, PROMPT);
    const parameters = readInitializers(readFileSync('assets/models/sotu-gpt/onnx/model.onnx'));
    const config = JSON.parse(readFileSync('assets/models/sotu-gpt/config.json', 'utf8')) as Record<string, unknown>;
    const ids = trace.tokens.map((t) => t.id);
    const reference = referenceGpt2Forward(config, parameters, { inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, i) => i)] });
    state = { trace, reference, parameters, headName: extrasWeightNames(trace.model.architecture).lmHead };
    await loaded.model.dispose();
  }, 120_000);
  expectAgreesWithReference(() => state);

  it('holds the final LayerNorm\'s σ fixed and counts its bias as a component of its own', () => {
    const attribution = state.trace.attribution!;
    expect(attribution.norm).toBe('layernorm');
    expect(attribution.scale).toBeGreaterThan(0);
    const finalBias = attribution.logit.components.at(-1)!;
    expect(finalBias).toMatchObject({ kind: 'bias', layer: null, head: null });
    expect(attribution.logit.components.filter((c) => c.kind === 'bias' && c.layer !== null)).toHaveLength(state.trace.model.nLayer);
  });
});

const checkpoints = [
  { label: 'a random GPT-2', make: () => makeRandomGpt2Checkpoint({ seed: 71, vocab_size: 8192, n_embd: 32, n_head: 4, n_layer: 3, n_positions: 256 }), forward: referenceGpt2Forward },
  {
    label: 'a random Llama with grouped-query attention and an o_proj bias',
    make: () => makeRandomLlamaCheckpoint({ seed: 72, vocab_size: 8192, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2, attention_bias: true, max_position_embeddings: 256 }),
    forward: referenceLlamaForward,
  },
  {
    label: 'a random tied Llama without biases',
    make: () => makeRandomLlamaCheckpoint({ seed: 73, vocab_size: 8192, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4, tied: true, max_position_embeddings: 256 }),
    forward: referenceLlamaForward,
  },
];

describe.each(checkpoints)('attribution on $label', ({ make, forward }) => {
  const { config, parameters, bytes } = make();
  const folderConfig = { ...config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
  const modelsRoot = mkdtempSync(join(tmpdir(), 'attribution-'));
  let loaded: LoadedModel;
  let state: { trace: Trace; reference: ReferenceOutputs; parameters: Parameters; headName: string };

  beforeAll(async () => {
    const folder = writeModelFolder(modelsRoot, 'tiny', { config: folderConfig, onnx: convertModel({ config: folderConfig, weights: bytes }), withTokenizer: true });
    loaded = await loadModelInNode(folder);
    const trace = await runTrace(loaded, PROMPT);
    const ids = tokenize(loaded, PROMPT);
    const reference = forward(config, parameters, { inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, i) => i)] });
    state = { trace, reference, parameters, headName: extrasWeightNames(trace.model.architecture).lmHead };
  }, 120_000);

  afterAll(async () => {
    await loaded?.model.dispose();
    rmSync(modelsRoot, { recursive: true, force: true });
  });

  expectAgreesWithReference(() => state);
});

describe('attribution on an fp16 conversion (the projected readout\'s Gemm reads W_O in float16)', () => {
  it('adds up to the fp16 model\'s own logit and gap', async () => {
    const { config, bytes } = checkpoints[1].make();
    const folderConfig = { ...config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
    const modelsRoot = mkdtempSync(join(tmpdir(), 'attribution-fp16-'));
    const folder = writeModelFolder(modelsRoot, 'tiny', { config: folderConfig, onnx: convertModel({ config: folderConfig, weights: bytes, dtype: 'fp16' }), withTokenizer: true });
    const loaded = await loadModelInNode(folder);
    try {
      const trace = await runTrace(loaded, PROMPT);
      const attribution = trace.attribution!;
      expect(Math.abs(attribution.logit.sum - trace.topk[0].logit)).toBeLessThan(1e-3);
      expect(Math.abs(attribution.gap!.sum - (trace.topk[0].logit - trace.topk[1].logit))).toBeLessThan(1e-3);
    } finally {
      await loaded.model.dispose();
      rmSync(modelsRoot, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a model converted before the head votes (trace.attr.heads, [b, L, h, d])', () => {
  it('has no attribution outputs, keeps the old output out of the Trace, and asks for a conversion with today\'s converter', () => {
    const old = {
      'trace.attr.heads': new Tensor('float32', new Float32Array(2 * 4 * 8), [1, 2, 4, 8]),
      [attributionOutputs.readoutIds]: new Tensor('int64', BigInt64Array.from([1n, 2n]), [1, 2]),
      [attributionOutputs.readout]: new Tensor('float32', new Float32Array(2 * 8), [1, 2, 8]),
    };
    expect(readAttributionOutputs(old)).toBeNull();
    expect(isAttributionOutput('trace.attr.heads')).toBe(true);
    const result = computeAttribution({ info: {} as ModelInfo, tensors: {}, graph: null, topk: [] });
    expect(result).toEqual({ attribution: null, missing: [{ part: 'attribution', needs: attributionOutputs.headVotes, reason: "the model's graph does not expose it: convert it again with today's converter" }] });
  });
});
