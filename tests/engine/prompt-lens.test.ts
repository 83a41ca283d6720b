// The deferred logit lens's own call: one step against an answer's cache gives the lens a pass over the whole
// prompt gives (and the traced pass gave); a cache that does not hold the prompt's first n − 1 ids is not used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { generateRun } from '../../src/engine/generate';
import type { LoadedModel } from '../../src/engine/load-model';
import { promptLens } from '../../src/engine/prompt-lens';
import { runTrace } from '../../src/engine/run-trace';
import type { LogitLensRow } from '../../src/trace';

let base: LoadedModel;
beforeAll(async () => {
  base = await loadModelInNode('sotu-gpt');
}, 120_000);
afterAll(async () => {
  await base?.model.dispose();
});

function expectSameLens(rows: LogitLensRow[] | null, expected: LogitLensRow[]): void {
  expect(rows?.map((row) => [row.label, row.top.map((c) => c.id)])).toEqual(expected.map((row) => [row.label, row.top.map((c) => c.id)]));
  rows!.forEach((row, stage) => row.top.forEach((c, rank) => expect(Math.abs(c.prob - expected[stage].top[rank].prob)).toBeLessThanOrEqual(1e-5)));
}

/** Records how many ids each session run is fed, until stop(). */
function watchFedIds(): { stop(): number[] } {
  const session = (base.model.sessions as Record<string, { run: (feeds: Record<string, { dims: number[] }>, ...rest: unknown[]) => Promise<unknown> }>).model;
  const run = session.run;
  const fed: number[] = [];
  session.run = (feeds, ...rest) => {
    fed.push(feeds.input_ids.dims[1]);
    return run.call(session, feeds, ...rest);
  };
  return {
    stop() {
      session.run = run;
      return fed;
    },
  };
}

describe('promptLens', () => {
  it("gives the traced pass's lens from a pass of its own and from one step against an answer's cache", async () => {
    const prompt = 'The union is strong and the people';
    const traced = await runTrace(base, prompt);
    const promptIds = traced.tokens.map((t) => t.id);
    const answer = await generateRun(base, promptIds, { maxNewTokens: 3, keepCache: true, stopAtEndOfText: false });
    expect(answer.cache!.ids).toEqual([...promptIds, ...answer.steps.slice(0, -1).map((s) => s.id)]);
    const other = await generateRun(base, [...promptIds].reverse(), { maxNewTokens: 1, keepCache: true, stopAtEndOfText: false });
    const fed = watchFedIds();
    expectSameLens(await promptLens(base, promptIds, null), traced.extras!.logitLens);
    expectSameLens(await promptLens(base, promptIds, null, answer.cache), traced.extras!.logitLens);
    // Another prompt's cache would give another lens: it is left alone, and the pass over the prompt gives the right one.
    expectSameLens(await promptLens(base, promptIds, null, other.cache), traced.extras!.logitLens);
    expect(fed.stop()).toEqual([promptIds.length, 1, promptIds.length]);
  });
});
