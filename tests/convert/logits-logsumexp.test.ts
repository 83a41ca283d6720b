// The graph's log-sum-exp of the logits (max - log(max softmax), see logitsLogSumExp), which the engine subtracts from
// a token's logit to get its log-probability, equals the float64 JavaScript one at every position, extreme rows included.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { logitsLogSumExp } from '../../src/convert/decoder-graph';
import { convertModel } from '../../src/convert/index';
import { GraphBuilder } from '../../src/convert/onnx-writer';
import { logSumExp } from '../../src/maths/softmax';
import { logitsLogSumExpOutput } from '../../src/trace/output-names';
import { createSession, runDecoder } from './onnx-session';
import { makeRandomGpt2Checkpoint, makeRandomLlamaCheckpoint } from './random-checkpoint';

describe.each([
  ['GPT-2', () => makeRandomGpt2Checkpoint({ seed: 41, n_layer: 2, n_head: 4, n_embd: 32 })],
  ['Llama', () => makeRandomLlamaCheckpoint({ seed: 42 })],
])('the logits log-sum-exp of a converted %s', (_, make) => {
  it('equals the JavaScript one at every position, within 1e-5; a plain conversion has none', async () => {
    const { config, bytes } = make();
    const outputs = await runDecoder(await createSession(convertModel({ config, weights: bytes })), config, {
      inputIds: [[5, 12, 33, 9, 2]],
      attentionMask: [[1, 1, 1, 1, 1]],
      positionIds: [[0, 1, 2, 3, 4]],
    });
    const [, positions, vocab] = outputs.logits.dims as number[];
    const logits = outputs.logits.data as Float32Array;
    const inGraph = outputs[logitsLogSumExpOutput];
    expect(inGraph.dims).toEqual([1, positions]);
    for (let i = 0; i < positions; i++) {
      expect(Math.abs((inGraph.data as Float32Array)[i] - logSumExp(logits.subarray(i * vocab, (i + 1) * vocab)))).toBeLessThan(1e-5);
    }
    const plain = await createSession(convertModel({ config, weights: bytes, traceOutputs: false }));
    expect(plain.outputNames).not.toContain(logitsLogSumExpOutput);
  });
});

describe('logitsLogSumExp on extreme rows', () => {
  it('equals the float64 JavaScript one within 1e-6 of its size: one huge logit, masked (-1e9, -inf) and tiny logits, ties', async () => {
    const vocab = 4096;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) + 0.5) / 2 ** 32;
    const normal = () => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
    const rows: ((row: Float32Array) => void)[] = [
      (row) => row.forEach((_, j) => (row[j] = normal() * 5)),
      (row) => row.forEach((_, j) => (row[j] = j === 1234 ? 150 : normal() * 5)), // one logit far above the rest
      (row) => row.forEach((_, j) => (row[j] = j < vocab / 2 ? -1e9 : j === 3000 ? 80 : normal() * 5)), // half masked at -1e9
      (row) => row.forEach((_, j) => (row[j] = j % 4 === 0 ? normal() * 5 : -Infinity)), // three quarters -inf
      (row) => row.forEach((_, j) => (row[j] = -300 + normal())), // all far below zero
      (row) => row.fill(2.5), // all tied: log(vocab) + 2.5
    ];
    const logits = new Float32Array(rows.length * vocab);
    rows.forEach((fill, i) => fill(logits.subarray(i * vocab, (i + 1) * vocab)));

    const g = new GraphBuilder('logsumexp');
    g.input('logits', 'float32', ['batch', 'seq', vocab]);
    g.node('Identity', 'out', [logitsLogSumExp(g, 'logits')], { outputs: ['out'] });
    g.output('out', 'float32', ['batch', 'seq']);
    const session = await createSession(g.toBytes());
    const { out } = await session.run({ logits: new ort.Tensor('float32', logits, [1, rows.length, vocab]) });
    expect(out.dims).toEqual([1, rows.length]);
    rows.forEach((_, i) => {
      const expected = logSumExp(logits.subarray(i * vocab, (i + 1) * vocab));
      expect(Math.abs((out.data as Float32Array)[i] - expected)).toBeLessThan(1e-6 * Math.max(1, Math.abs(expected)));
    });
  });
});
