// The knock-out across the worker boundary: the host hands the run's knock-out to the trace and the answer,
// and a knock-out the model cannot do falls back to the plain run with the reason on the Trace (the slides
// say it) instead of blanking the deck; the deck's view turns into the client's run option once per change.
import { describe, expect, it } from 'vitest';
import { deckSlides } from '../../slides/index';
import { KNOCK_OUT_VIEW, connectKnockOut, knockOutOfViews } from '../../src/deck/knock-out-view';
import { createViewStore } from '../../src/deck/view-store';
import type { RunOptions } from '../../src/engine/client';
import { createEngineHost, type Engine } from '../../src/engine/engine-host';
import { KnockOutError } from '../../src/engine/knock-out';
import type { EngineMessage } from '../../src/engine/protocol';
import { parseKnockOut, type KnockOut, type ModelInfo, type Trace } from '../../src/trace';
import { makeTrace } from '../fixtures/synthetic-trace';

function hostWith(canKnockOut: boolean) {
  const messages: EngineMessage[] = [];
  const traced: (KnockOut | null | undefined)[] = [];
  const answered: (KnockOut | null | undefined)[] = [];
  const base = makeTrace();
  const engine: Engine<{ info: ModelInfo }> = {
    load: async () => ({ info: base.model }),
    async trace(_model, _input, options) {
      traced.push(options?.knockOut);
      if (options?.knockOut && !canKnockOut) throw new KnockOutError('This model was converted without the knock-out inputs: reconvert it.');
      return { ...base, ...(options?.knockOut ? { knockOut: options.knockOut } : {}) } as Trace;
    },
    async answer(_model, input) {
      answered.push(input.request.knockOut);
    },
  };
  const host = createEngineHost((message) => messages.push(message), engine);
  return { host, messages, traced, answered };
}

describe('the engine host with a knock-out', () => {
  const knockOut = parseKnockOut('2.3,mlp1');
  const load = { type: 'load', modelName: 'tiny', modelRoot: '/m/', backend: 'wasm', ortRuntime: { mjs: '/o.mjs', wasm: '/o.wasm' } } as const;

  it('passes it to the Trace and the answer', async () => {
    const { host, messages, traced, answered } = hostWith(true);
    await host.receive(load);
    await host.receive({ type: 'run', requestId: 1, prompt: 'hi', knockOut });
    expect(traced.at(-1)).toEqual(knockOut);
    expect(answered).toEqual([knockOut]);
    const trace = messages.find((m) => m.type === 'trace');
    expect(trace && trace.type === 'trace' && trace.trace.knockOut).toEqual(knockOut);
  });

  it('falls back to the plain run, with the reason on the Trace, when the model cannot do it', async () => {
    const { host, messages, answered } = hostWith(false);
    await host.receive(load);
    await host.receive({ type: 'run', requestId: 1, prompt: 'hi', knockOut });
    expect(messages.filter((m) => m.type === 'error')).toEqual([]);
    const trace = messages.find((m) => m.type === 'trace');
    expect(trace && trace.type === 'trace' && trace.trace.knockOutRefused).toContain('reconvert it');
    expect(answered).toEqual([null]);
  });
});

describe('the deck\'s knock-out view', () => {
  it('turns the deck\'s ablate (set from the who-voted, multi-head or tower slide) into the run option, once per change', () => {
    const views = createViewStore(deckSlides);
    const calls: Partial<RunOptions>[] = [];
    const engine = {
      state: { runOptions: { knockOut: null as KnockOut | null } },
      setRunOptions(change: Partial<RunOptions>) {
        calls.push(change);
        engine.state.runOptions = { ...engine.state.runOptions, ...change } as { knockOut: KnockOut | null };
      },
    };
    connectKnockOut(views, engine as never);
    expect(calls).toEqual([]); // nothing chosen, nothing rerun
    views.set('who-voted', { ablate: 'mlp1,2.3' });
    expect(calls).toEqual([{ knockOut: parseKnockOut('2.3,mlp1') }]);
    views.set('who-voted', { measure: 'gap' }); // another field: no rerun
    expect(calls).toHaveLength(1);
    views.set('attention', { ablate: '2.3' }); // the multi-head slide's button
    expect(calls.at(-1)).toEqual({ knockOut: parseKnockOut('2.3') });
    views.set(KNOCK_OUT_VIEW.id, { ablate: 'nonsense' });
    expect(knockOutOfViews(views)).toBeNull();
    expect(calls.at(-1)).toEqual({ knockOut: null });
  });
});
