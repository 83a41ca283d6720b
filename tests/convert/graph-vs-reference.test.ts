// The converted graph, run in onnxruntime-node, against the float64 reference: logits and every trace output.
import type * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertGpt2 } from '../../src/convert/index';
import { allTraceOutputs, logitLensOutputs, logitsLogSumExpOutput } from '../../src/trace/output-names';
import { isAttributionOutput } from '../../src/engine/attribution';
import { mismatches, REFERENCE_BATCH } from './compare';
import { createSession, runGpt2 } from './onnx-session';
import { makeRandomGpt2Checkpoint } from './random-checkpoint';
import { positionIdsFromMask, referenceGpt2Forward } from './reference-gpt2';

const checkpoint = makeRandomGpt2Checkpoint();
const { config, parameters } = checkpoint;
const traceNames = allTraceOutputs(config.n_layer as number);

const { inputIds, attentionMask: padded } = REFERENCE_BATCH;
const unpadded = padded.map((row) => row.map(() => 1));

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
    expect(Object.keys(outputs).filter((name) => name.startsWith('trace.') && !isAttributionOutput(name)).sort()).toEqual([...traceNames, ...Object.values(logitLensOutputs), logitsLogSumExpOutput].sort()); // the lens: tests/engine/graph-lens.test.ts; the attribution's: tests/engine/attribution.test.ts
    expect(mismatches(outputs, reference, traceNames, 0, T)).toEqual([]);
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
    expect(mismatches(second, reference, traceNames, split, T, attentionMask)).toEqual([]);
  });
});
