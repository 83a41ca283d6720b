// Knock-out (issue 14 item 2): a model converted with head_mask / mlp_mask inputs, run by the engine with heads
// and MLPs switched off, equals the float64 reference with the same parts zeroed (a head's slice of the output
// projection, an MLP's output projection and bias); with nothing switched off it gives exactly the plain
// conversion's outputs; a model converted without the inputs runs as before and refuses a knock-out in words.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { convertModel } from '../../src/convert/index';
import { streamAnswer, type AnswerSession } from '../../src/engine/answer-stream';
import { generate } from '../../src/engine/generate';
import { hasKnockOutInputs, KnockOutError } from '../../src/engine/knock-out';
import type { LoadedModel } from '../../src/engine/load-model';
import { runTrace, tokenize } from '../../src/engine/run-trace';
import { formatKnockOut, knockOutMasks, parseKnockOut, toggleKnockOut, type KnockOut } from '../../src/trace';
import { makeRandomGpt2Checkpoint, makeRandomLlamaCheckpoint, type RandomCheckpoint } from '../convert/random-checkpoint';
import { referenceGpt2Forward } from '../convert/reference-gpt2';
import { referenceLlamaForward } from '../convert/reference-llama';
import { END_OF_TEXT, writeModelFolder } from '../fixtures/model-folder';

type Parameters = RandomCheckpoint['parameters'];
const PROMPT = 'The state of the union is strong';

describe('knock-out sets', () => {
  it('parse and format "2.3,mlp1", each part once, sorted', () => {
    const knockOut = parseKnockOut('mlp1, 2.3,0.1,2.3');
    expect(knockOut).toEqual({ heads: [{ layer: 0, head: 1 }, { layer: 2, head: 3 }], mlps: [1] });
    expect(formatKnockOut(knockOut)).toBe('0.1,2.3,mlp1');
    expect(parseKnockOut('')).toEqual({ heads: [], mlps: [] });
    expect(() => parseKnockOut('2.x')).toThrow('"2.x" is not a part to knock out');
  });

  it('toggles a head or an MLP, and builds the masks', () => {
    let knockOut: KnockOut = { heads: [], mlps: [] };
    knockOut = toggleKnockOut(knockOut, { layer: 1, head: 2 });
    knockOut = toggleKnockOut(knockOut, { layer: 0, head: null });
    expect(formatKnockOut(knockOut)).toBe('1.2,mlp0');
    const { headMask, mlpMask } = knockOutMasks(knockOut, 2, 4);
    expect(Array.from(headMask)).toEqual([1, 1, 1, 1, 1, 1, 0, 1]);
    expect(Array.from(mlpMask)).toEqual([0, 1]);
    expect(formatKnockOut(toggleKnockOut(toggleKnockOut(knockOut, { layer: 1, head: 2 }), { layer: 0, head: null }))).toBe('');
  });
});

/** The checkpoint's parameters with the knocked-out parts zeroed: a head's rows (GPT-2 Conv1D) or columns (nn.Linear) of the output projection, an MLP's output projection and bias. */
function zeroed(parameters: Parameters, family: 'gpt2' | 'llama', knockOut: KnockOut, headDim: number): Parameters {
  const copy = new Map([...parameters].map(([name, p]) => [name, { shape: p.shape, data: p.data.slice() }]));
  for (const { layer, head } of knockOut.heads) {
    if (family === 'gpt2') {
      const w = copy.get(`transformer.h.${layer}.attn.c_proj.weight`)!; // [h*hd, d]
      w.data.fill(0, head * headDim * w.shape[1], (head + 1) * headDim * w.shape[1]);
    } else {
      const w = copy.get(`model.layers.${layer}.self_attn.o_proj.weight`)!; // [d, h*hd]
      for (let row = 0; row < w.shape[0]; row++) w.data.fill(0, row * w.shape[1] + head * headDim, row * w.shape[1] + (head + 1) * headDim);
    }
  }
  for (const layer of knockOut.mlps) {
    const names = family === 'gpt2' ? [`transformer.h.${layer}.mlp.c_proj.weight`, `transformer.h.${layer}.mlp.c_proj.bias`] : [`model.layers.${layer}.mlp.down_proj.weight`];
    for (const name of names) copy.get(name)!.data.fill(0);
  }
  return copy;
}

const cases = [
  {
    family: 'gpt2' as const,
    make: () => makeRandomGpt2Checkpoint({ seed: 81, vocab_size: 8192, n_embd: 32, n_head: 4, n_layer: 3, n_positions: 256 }),
    forward: referenceGpt2Forward,
    headDim: 8,
  },
  {
    family: 'llama' as const,
    make: () => makeRandomLlamaCheckpoint({ seed: 82, vocab_size: 8192, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2, attention_bias: true, max_position_embeddings: 256 }),
    forward: referenceLlamaForward,
    headDim: 8,
  },
];

describe.each(cases)('knock-out on a random $family', ({ family, make, forward, headDim }) => {
  const { config, parameters, bytes } = make();
  const folderConfig = { ...config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
  const modelsRoot = mkdtempSync(join(tmpdir(), 'knock-out-'));
  const knockOut = parseKnockOut('1.2,0.0,mlp1');
  let withMasks: LoadedModel;
  let plain: LoadedModel;

  beforeAll(async () => {
    const write = (name: string, knock: boolean) =>
      writeModelFolder(modelsRoot, name, { config: folderConfig, onnx: convertModel({ config: folderConfig, weights: bytes, knockOut: knock }), withTokenizer: true });
    withMasks = await loadModelInNode(write('with-masks', true));
    plain = await loadModelInNode(write('plain', false));
  }, 120_000);

  afterAll(async () => {
    await withMasks?.model.dispose();
    await plain?.model.dispose();
    rmSync(modelsRoot, { recursive: true, force: true });
  });

  it('has the mask inputs only when converted with them', () => {
    expect(hasKnockOutInputs(withMasks)).toBe(true);
    expect(hasKnockOutInputs(plain)).toBe(false);
  });

  it('gives exactly the plain conversion\'s outputs with nothing knocked out (all-ones masks)', async () => {
    const masked = await runTrace(withMasks, PROMPT);
    const unmasked = await runTrace(plain, PROMPT);
    expect(masked.lastLogits).toEqual(unmasked.lastLogits);
    for (const [name, tensor] of Object.entries(unmasked.tensors)) expect(masked.tensors[name].data, name).toEqual(tensor.data);
    const ids = tokenize(plain, PROMPT);
    const steps = (loaded: LoadedModel) => generate(loaded, ids, { maxNewTokens: 6, stopAtEndOfText: false });
    expect((await steps(withMasks)).map((s) => s.id)).toEqual((await steps(plain)).map((s) => s.id));
    expect(masked.knockOut).toBeUndefined();
  });

  it('equals the float64 reference with the same heads and MLP zeroed', async () => {
    const trace = await runTrace(withMasks, PROMPT, { knockOut });
    expect(trace.knockOut).toEqual(knockOut);
    expect(trace.knockOutBaseline).toEqual((await runTrace(withMasks, PROMPT)).topk); // the 'before' the slides show
    const ids = tokenize(withMasks, PROMPT);
    const inputs = { inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, i) => i)] };
    const vocab = trace.model.vocabSize;
    const lastRow = (logits: Float64Array) => logits.subarray(logits.length - vocab);
    const knocked = lastRow(forward(config, zeroed(parameters, family, knockOut, headDim), inputs).logits.data);
    const intact = lastRow(forward(config, parameters, inputs).logits.data);
    const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (value, i) => Math.abs(value - b[i])));
    expect(worst(trace.lastLogits, knocked)).toBeLessThan(1e-4);
    expect(worst(knocked, intact)).toBeGreaterThan(1e-2); // the knock-out changed the answer's logits: the comparison can fail
  });

  it('shows the knocked-out parts with no vote, and the votes still add up', async () => {
    const trace = await runTrace(withMasks, PROMPT, { knockOut });
    const components = trace.attribution!.logit.components;
    const of = (kind: string, layer: number, head: number | null) => components.find((c) => c.kind === kind && c.layer === layer && c.head === head)!.value;
    expect(of('head', 1, 2)).toBe(0);
    expect(of('head', 0, 0)).toBe(0);
    expect(of('mlp', 1, null)).toBe(0);
    expect(Math.abs(trace.attribution!.logit.sum - trace.topk[0].logit)).toBeLessThan(1e-4);
  });

  it('keeps no KV cache of a knocked-out answer for the next turn, and keeps the plain one\'s', async () => {
    const promptIds = tokenize(withMasks, PROMPT);
    const session: AnswerSession = { previousTurn: null };
    const callbacks = { publish: () => {}, superseded: () => false };
    const input = (knock: KnockOut | null) => ({ request: { maxNewTokens: 2, knockOut: knock }, prompt: PROMPT, promptIds, chatModel: false });
    await streamAnswer(withMasks, input(null), session, callbacks);
    expect(session.previousTurn).not.toBeNull();
    await streamAnswer(withMasks, input(knockOut), session, callbacks);
    expect(session.previousTurn).toBeNull();
  });

  it('generates with the knock-out, and refuses one the plain model or a missing head cannot do, in words', async () => {
    const ids = tokenize(withMasks, PROMPT);
    const knockedSteps = await generate(withMasks, ids, { maxNewTokens: 1, stopAtEndOfText: false, knockOut });
    const trace = await runTrace(withMasks, PROMPT, { knockOut });
    expect(knockedSteps[0].id).toBe(trace.topk[0].id);
    await expect(runTrace(plain, PROMPT, { knockOut })).rejects.toThrow(KnockOutError);
    await expect(runTrace(plain, PROMPT, { knockOut })).rejects.toThrow('reconvert it');
    await expect(runTrace(withMasks, PROMPT, { knockOut: parseKnockOut('7.0') })).rejects.toThrow('it has no 7.0');
  });
});
