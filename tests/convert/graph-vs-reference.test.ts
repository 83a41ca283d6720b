// The converted graph, run in onnxruntime-node, against the float64 reference: logits and every trace output.
import type * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertGpt2 } from '../../src/convert/index';
import { allTraceOutputs } from '../../src/convert/output-names';
import { atPaddingKey, compareTensor, newTokenAxis, sliceAxis } from './compare';
import { createSession, runGpt2, type OrtOutputs } from './onnx-session';
import { makeRandomGpt2Checkpoint } from './random-checkpoint';
import { positionIdsFromMask, referenceGpt2Forward, type ReferenceOutputs } from './reference-gpt2';

const checkpoint = makeRandomGpt2Checkpoint();
const { config, parameters } = checkpoint;
const traceNames = allTraceOutputs(config.n_layer as number);

const inputIds = [
  [3, 17, 42, 8, 25, 11, 49],
  [0, 0, 7, 31, 2, 19, 44], // left-padded: the first two are padding
];
const padded = [
  [1, 1, 1, 1, 1, 1, 1],
  [0, 0, 1, 1, 1, 1, 1],
];
const unpadded = padded.map((row) => row.map(() => 1));

/**
 * Every mismatch between the graph's outputs and the reference (positions [start, end) of the new tokens).
 * With `skipPaddingKeys`, entries at padding key positions are not compared (see atPaddingKey).
 */
function mismatches(
  outputs: OrtOutputs,
  reference: ReferenceOutputs,
  start: number,
  end: number,
  skipPaddingKeys?: number[][],
): string[] {
  const problems: string[] = [];
  const check = (name: string, expected = reference.trace.get(name)!) => {
    const axis = name === 'logits' ? 1 : newTokenAxis(name);
    const sliced = axis === null ? expected : sliceAxis(expected, axis, start, end);
    const ignore = skipPaddingKeys ? atPaddingKey(name, sliced.dims, skipPaddingKeys) : undefined;
    const problem = outputs[name] ? compareTensor(name, outputs[name], sliced, ignore) : `${name}: missing output`;
    if (problem) problems.push(problem);
  };
  check('logits', reference.logits);
  for (const name of traceNames) check(name);
  return problems;
}

let session: ort.InferenceSession;
beforeAll(async () => {
  session = await createSession(convertGpt2({ config, weights: checkpoint.bytes }));
});

describe.each([
  ['without padding', unpadded],
  ['with a left-padded row', padded],
])('converted GPT-2 %s', (_label, attentionMask) => {
  const positionIds = positionIdsFromMask(attentionMask);
  const reference = referenceGpt2Forward(config, parameters, { inputIds, attentionMask, positionIds });
  const T = inputIds[0].length;

  it('matches the reference on logits and every trace output in one pass', async () => {
    const outputs = await runGpt2(session, config, { inputIds, attentionMask, positionIds });
    expect(Object.keys(outputs).filter((name) => name.startsWith('trace.')).sort()).toEqual([...traceNames].sort());
    expect(mismatches(outputs, reference, 0, T)).toEqual([]);
  });

  it('gives the same second chunk with a KV cache as a single full pass', async () => {
    const split = 4;
    const first = await runGpt2(session, config, {
      inputIds: inputIds.map((row) => row.slice(0, split)),
      attentionMask: attentionMask.map((row) => row.slice(0, split)),
      positionIds: positionIds.map((row) => row.slice(0, split)),
    });
    const second = await runGpt2(session, config, {
      inputIds: inputIds.map((row) => row.slice(split)),
      attentionMask,
      positionIds: positionIds.map((row) => row.slice(split)),
      past: first,
    });
    expect(second['present.0.key'].dims).toEqual([2, config.n_head, T, (config.n_embd as number) / (config.n_head as number)]);
    expect(mismatches(second, reference, split, T, attentionMask)).toEqual([]);
  });
});
