// The trace switch (src/convert/trace-branch-graph.ts): off, a call gives the same logits and cache bit for bit
// and no trace values, and runs exactly the plain conversion's nodes; on, every trace output as before.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertModel } from '../../src/convert/index';
import { decodeModel, type NodeProto } from '../../src/convert/onnx-proto';
import { switchTraceNodes } from '../../src/convert/trace-branch-graph';
import { layerOutput, LENS_SWITCH_INPUT, logitLensOutputs, STEP_TOP_SWITCH_INPUT, stepTopOutputs, TRACE_SWITCH_INPUT } from '../../src/trace/output-names';
import { createSession, runDecoder, type DecoderFeed } from './onnx-session';
import { makeRandomGpt2Checkpoint, makeRandomLlamaCheckpoint } from './random-checkpoint';

const checkpoints = {
  'GPT-2': () => makeRandomGpt2Checkpoint({ seed: 31, n_layer: 2, n_head: 4, n_embd: 32 }),
  'Llama (GQA)': () => makeRandomLlamaCheckpoint({ seed: 32 }),
};

const PROMPT: DecoderFeed = { inputIds: [[5, 12, 33, 9]], attentionMask: [[1, 1, 1, 1]], positionIds: [[0, 1, 2, 3]] };

/** The op types a run executes in the main graph (the If itself aside), counted. */
function mainOpCounts(nodes: NodeProto[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { op_type } of nodes) if (op_type !== 'If') counts[op_type] = (counts[op_type] ?? 0) + 1;
  return counts;
}

describe.each(Object.entries(checkpoints))('the trace switch on a converted %s', (_, make) => {
  const { config, bytes } = make();
  const variants = { fp32: {}, fp16: { dtype: 'fp16' as const }, 'with knock-out inputs': { knockOut: true } };

  it.each(Object.entries(variants))('%s: off gives the same logits and cache bit for bit, and no trace values', async (__, options) => {
    const session = await createSession(convertModel({ config, weights: bytes, ...options }));
    expect(session.inputNames).toContain(TRACE_SWITCH_INPUT);
    const target = 'knockOut' in options ? withMasks(session, config) : session;
    const run = (traceOutputs: boolean, feed: DecoderFeed) => runDecoder(target, config, { ...feed, traceOutputs });
    const on = await run(true, PROMPT);
    const off = await run(false, PROMPT);
    const traceNames = Object.keys(on).filter((name) => name !== 'logits' && !name.startsWith('present.'));
    expect(traceNames.length).toBeGreaterThan(10);
    expect(Object.keys(off).sort()).toEqual(Object.keys(on).sort());
    for (const name of Object.keys(on)) {
      if (traceNames.includes(name)) {
        expect(on[name].size, name).toBeGreaterThan(0);
        // Empty, or zeros where the declared shape is all fixed sizes (a few weight-derived outputs).
        expect(Array.from(off[name].data as ArrayLike<number | bigint>).filter((value) => Number(value) !== 0), name).toEqual([]);
      } else {
        expect(off[name].dims, name).toEqual(on[name].dims);
        expect(off[name].data, name).toEqual(on[name].data);
      }
    }
    // A generation step from the cache: the same logits whichever way the cache was made.
    const step = { inputIds: [[7]], attentionMask: [[1, 1, 1, 1, 1]], positionIds: [[4]] };
    const stepOn = await run(true, { ...step, past: on });
    const stepOff = await run(false, { ...step, past: off });
    expect(stepOff.logits.data).toEqual(stepOn.logits.data);
  });

  it('the lens alone: its own switch gives the traced pass\'s lens, the rest empty, from a cache of the earlier tokens too', async () => {
    const session = await createSession(convertModel({ config, weights: bytes }));
    const run = (feed: DecoderFeed) => runDecoder(session, config, feed);
    const traced = await run(PROMPT);
    const lensOnly = await run({ ...PROMPT, traceOutputs: false, lens: true });
    const withoutLens = await run({ ...PROMPT, lens: false });
    const lensNames = Object.values(logitLensOutputs);
    expect(traced[logitLensOutputs.ids].dims[1]).toBeGreaterThan(1);
    for (const name of lensNames) {
      expect(lensOnly[name].dims, name).toEqual(traced[name].dims);
      expect(lensOnly[name].data, name).toEqual(traced[name].data);
      expect(withoutLens[name].size, name).toBe(0);
    }
    expect(lensOnly[layerOutput(0, 'attn.probs')].size).toBe(0);
    expect(withoutLens[layerOutput(0, 'attn.probs')].data).toEqual(traced[layerOutput(0, 'attn.probs')].data);
    // The prompt's last token after a cache of the others (the answer's first step after a reused prefix).
    const prefix = await run({ inputIds: [PROMPT.inputIds[0].slice(0, 3)], attentionMask: [[1, 1, 1]], positionIds: [[0, 1, 2]], traceOutputs: false, lens: false });
    const last = await run({ inputIds: [[9]], attentionMask: [[1, 1, 1, 1]], positionIds: [[3]], past: prefix, traceOutputs: false, lens: true });
    expect(last[logitLensOutputs.ids].data).toEqual(traced[logitLensOutputs.ids].data);
    const probs = traced[logitLensOutputs.probs].data as Float32Array;
    (last[logitLensOutputs.probs].data as Float32Array).forEach((p, i) => expect(p).toBeCloseTo(probs[i], 5));
  });

  it('a step\'s top 5 alone: the last position\'s largest logits, ties to the lower id, and their probabilities', async () => {
    const session = await createSession(convertModel({ config, weights: bytes }));
    const step = await runDecoder(session, config, { ...PROMPT, traceOutputs: false, stepTop: true });
    const logits = step.logits.data as Float32Array;
    const vocab = step.logits.dims[2];
    const last = Array.from(logits.subarray(logits.length - vocab));
    const order = last.map((_, id) => id).sort((a, b) => last[b] - last[a] || a - b).slice(0, 5);
    expect(Array.from(step[stepTopOutputs.ids].data as BigInt64Array, Number)).toEqual(order);
    expect(Array.from(step[stepTopOutputs.logits].data as Float32Array)).toEqual(order.map((id) => Math.fround(last[id])));
    const max = Math.max(...last);
    const sum = last.reduce((total, x) => total + Math.exp(x - max), 0);
    expect(step[stepTopOutputs.probs].dims).toEqual([1, 1, 5]);
    (step[stepTopOutputs.probs].data as Float32Array).forEach((p, rank) => expect(Math.abs(p - Math.exp(last[order[rank]] - max) / sum)).toBeLessThan(1e-6));
    expect(step[layerOutput(0, 'attn.probs')].size).toBe(0);
    const off = await runDecoder(session, config, { ...PROMPT, stepTop: false });
    expect(off[stepTopOutputs.ids].size).toBe(0);
  });

  it('off, runs the plain conversion\'s nodes and no other', () => {
    const switched = decodeModel(convertModel({ config, weights: bytes }));
    const plain = decodeModel(convertModel({ config, weights: bytes, traceOutputs: false }));
    expect(switched.graph.node.filter((node) => node.op_type === 'If').map((node) => node.input[0])).toEqual([STEP_TOP_SWITCH_INPUT, LENS_SWITCH_INPUT, TRACE_SWITCH_INPUT]);
    expect(mainOpCounts(switched.graph.node)).toEqual(mainOpCounts(plain.graph.node));
  });
});

/** The session with all-ones knock-out masks added to every run's feeds. */
function withMasks(session: ort.InferenceSession, config: Record<string, unknown>): ort.InferenceSession {
  const layers = (config.n_layer ?? config.num_hidden_layers) as number;
  const heads = (config.n_head ?? config.num_attention_heads) as number;
  const masks = {
    head_mask: new ort.Tensor('float32', new Float32Array(layers * heads).fill(1), [layers, heads]),
    mlp_mask: new ort.Tensor('float32', new Float32Array(layers).fill(1), [layers]),
  };
  return Object.create(session, { run: { value: (feeds: Record<string, ort.Tensor>) => session.run({ ...feeds, ...masks }) } }) as ort.InferenceSession;
}

describe('switchTraceNodes', () => {
  const output = (name: string) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'n' }] } } } });
  const node = (name: string, input: string[], out: string): NodeProto => ({ name, op_type: 'Relu', input, output: [out], attribute: [] });
  let count = 0;
  const uniqueName = (hint: string) => `${hint}_${++count}`;

  const everyTraceOutput = [{ input: 'on', gates: () => true, name: 'trace' }];
  const lensFirst = [{ input: 'lens_on', gates: (name: string) => name.startsWith('trace.lens'), name: 'lens' }, ...everyTraceOutput];

  it('refuses a trace output the logits also need: an If output cannot share a main-graph value name', () => {
    const nodes = [node('a', ['x'], 'trace.a'), node('b', ['trace.a'], 'logits')];
    expect(() => switchTraceNodes({ nodes, outputs: [output('logits'), output('trace.a')] }, everyTraceOutput, uniqueName)).toThrow(/trace\.a/);
  });

  it('leaves a graph without trace outputs as it is', () => {
    const nodes = [node('b', ['x'], 'logits')];
    expect(switchTraceNodes({ nodes, outputs: [output('logits')] }, everyTraceOutput, uniqueName)).toBe(nodes);
  });

  it('gives each switch its own If, a node both need staying in the main graph', () => {
    const nodes = [
      node('core', ['x'], 'logits'),
      node('shared', ['logits'], 'both'),
      node('lens', ['both'], 'trace.lens.ids'),
      node('rest', ['both'], 'trace.a'),
    ];
    const switched = switchTraceNodes({ nodes, outputs: [output('logits'), output('trace.lens.ids'), output('trace.a')] }, lensFirst, uniqueName);
    expect(switched.filter((n) => n.op_type !== 'If').map((n) => n.name)).toEqual(['core', 'shared']);
    const ifs = switched.filter((n) => n.op_type === 'If');
    expect(ifs.map((n) => [n.input[0], n.output])).toEqual([['lens_on', ['trace.lens.ids']], ['on', ['trace.a']]]);
    expect(ifs.map((n) => n.attribute[0].g!.node.map((inner) => inner.name))).toEqual([['lens'], ['rest']]);
  });

  it('refuses a trace output no switch takes', () => {
    const nodes = [node('core', ['x'], 'logits'), node('lens', ['logits'], 'trace.lens.ids'), node('rest', ['logits'], 'trace.a')];
    expect(() => switchTraceNodes({ nodes, outputs: [output('logits'), output('trace.lens.ids'), output('trace.a')] }, lensFirst.slice(0, 1), uniqueName)).toThrow(/trace\.a/);
  });
});
