// The presenter's window and the speaker view's previews over a BroadcastChannel (Node has one):
// previews are told apart from the URL, a Trace's Float32Arrays arrive whole, the Trace is not sent
// again for each generation step, a hello gets the current context, a bye from the last preview stops
// the sending, and previews' prompts run.
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineState } from '../../src/engine/client';
import { READY_STATE } from './engine-state';
import { DeckChannel, deckChannelName, isSpeakerPreview, type DeckMessage } from '../../src/deck/deck-channel';
import { followPresenter } from '../../src/deck/follow-presenter';
import { shareWithPreviews } from '../../src/deck/share-with-previews';
import { trackOpenPreviews } from '../../src/deck/open-previews';
import type { DeckContext } from '../../slides/slide';
import { createViewStore } from '../../src/deck/view-store';
import type { Generation, Trace } from '../../src/trace';

const base: EngineState = READY_STATE;

/** An engine whose state the test sets. */
class FakeEngine {
  state = base;
  readonly #listeners = new Set<(state: EngineState) => void>();
  subscribe(listener: (state: EngineState) => void): void {
    this.#listeners.add(listener);
    listener(this.state);
  }
  set(change: Partial<EngineState>): void {
    this.state = { ...this.state, ...change };
    for (const listener of this.#listeners) listener(this.state);
  }
}

const opened: DeckChannel[] = [];
function channel(name = deckChannelName('/deck/', 'sotu-gpt')): DeckChannel {
  const result = new DeckChannel(name);
  opened.push(result);
  return result;
}
afterEach(() => {
  for (const each of opened.splice(0)) each.close();
});

function received(on: DeckChannel): DeckMessage[] {
  const messages: DeckMessage[] = [];
  on.onMessage((message) => messages.push(message));
  return messages;
}
const settle = () => new Promise((done) => setTimeout(done, 50));

const trace = { prompt: 'Hello', lastLogits: new Float32Array([1, 2, 3]) } as unknown as Trace;

describe('isSpeakerPreview', () => {
  it('is true for the pages the notes plugin loads in the speaker view', () => {
    expect(isSpeakerPreview('?receiver&progress=false&history=false&postMessageEvents=true')).toBe(true);
    expect(isSpeakerPreview('?prompt=Hi&receiver&controls=false')).toBe(true);
    expect(isSpeakerPreview('?prompt=receiver')).toBe(false);
    expect(isSpeakerPreview('')).toBe(false);
  });
});

describe('DeckChannel', () => {
  it('carries a Trace with its Float32Arrays, and only between decks of the same model and presenter window', async () => {
    const sender = channel();
    const sameDeck = received(channel());
    const otherModel = received(channel(deckChannelName('/deck/', 'other-gpt')));
    const otherWindow = received(channel(deckChannelName('/deck/', 'sotu-gpt', 'another-session')));
    sender.post({ type: 'context', prompt: 'Hello', trace, waitingMessage: '', generation: null, views: {} });
    await settle();
    expect(sameDeck).toHaveLength(1);
    const message = sameDeck[0];
    expect(message.type === 'context' && message.trace?.lastLogits).toEqual(new Float32Array([1, 2, 3]));
    expect(otherModel).toEqual([]);
    expect(otherWindow).toEqual([]);
  });
});

describe('shareWithPreviews and followPresenter', () => {
  it('sends nothing until a preview says hello, then the current context, a new Trace whole, and only the generation while it streams', async () => {
    const engine = new FakeEngine();
    const presenter = channel();
    const wire = received(channel());
    const prompts: [string, boolean][] = [];
    shareWithPreviews(presenter, engine, (prompt, { immediate }) => prompts.push([prompt, immediate]), createViewStore([]));
    engine.set({ trace });
    const generation = { prompt: 'Hello' } as Generation;
    engine.set({ generation });
    await settle();
    expect(wire).toEqual([]); // no speaker view open: no Trace cloned for nobody

    const shown: [DeckContext, string][] = [];
    followPresenter(channel(), (context, prompt) => shown.push([context, prompt]));
    await settle();
    expect(wire.map((message) => message.type)).toEqual(['hello', 'context']);
    engine.set({ progress: null }); // nothing the slides show: nothing sent
    await settle();
    expect(wire.map((message) => message.type)).toEqual(['hello', 'context']);
    expect(shown).toHaveLength(1);
    expect(shown[0][1]).toBe('Hello');
    expect(shown[0][0].trace?.prompt).toBe('Hello');
    expect(shown[0][0].generation).toEqual(generation);

    engine.set({ generation: { prompt: 'Hello', text: ' world' } as unknown as Generation });
    await settle();
    expect(shown).toHaveLength(2);
    expect(shown[1][0].trace?.prompt).toBe('Hello'); // kept from the context
    expect(shown[1][0].generation).toEqual({ prompt: 'Hello', text: ' world' });
    expect(wire.map((message) => message.type)).toEqual(['hello', 'context', 'generation']); // the Trace is not sent again

    const speaker = channel();
    speaker.post({ type: 'prompt', prompt: 'The union', immediate: true });
    await settle();
    expect(prompts).toEqual([['The union', true]]);
  });

  it('stops sending once every preview has said bye, and sends the whole context again to one that opens later', async () => {
    const engine = new FakeEngine();
    engine.set({ trace });
    shareWithPreviews(channel(), engine, () => undefined, createViewStore([]));
    const wire = received(channel());
    const first = followPresenter(channel(), () => undefined);
    const second = followPresenter(channel(), () => undefined);
    await settle();
    expect(wire.map((message) => message.type)).toEqual(['hello', 'hello', 'context', 'context']);

    first.leave();
    await settle(); // the bye crosses the channel
    engine.set({ generation: { prompt: 'Hello' } as Generation });
    await settle();
    expect(wire.map((message) => message.type).slice(4)).toEqual(['bye', 'generation']); // the other preview still listens

    second.leave();
    await settle();
    const later = { prompt: 'Later', lastLogits: new Float32Array([4]) } as unknown as Trace;
    engine.set({ trace: later, generation: null });
    await settle();
    expect(wire.map((message) => message.type).slice(6)).toEqual(['bye']); // nobody listens: the Trace is not cloned

    const shown: string[] = [];
    followPresenter(channel(), (context) => shown.push(context.trace?.prompt ?? ''));
    await settle();
    expect(shown).toEqual(['Later']);
  });

  it('says whether it has been answered: a hello sent before the presenter listened is answered by the next one', async () => {
    const presenter = channel();
    const following = followPresenter(channel(), () => undefined);
    await settle();
    expect(following.answered).toBe(false); // nobody listened yet (the presenter's window still starting)
    const engine = new FakeEngine();
    engine.set({ trace });
    shareWithPreviews(presenter, engine, () => undefined, createViewStore([]));
    following.greet(); // as startPreview does each second until answered
    await settle();
    expect(following.answered).toBe(true);
  });

  it('counts a preview that says hello twice once', async () => {
    const previews = trackOpenPreviews(channel());
    const changes: boolean[] = [];
    previews.onChange(() => changes.push(previews.open));
    const following = followPresenter(channel(), () => undefined);
    following.greet(); // back from the back-forward cache
    await settle();
    expect(previews.open).toBe(true);
    following.leave();
    await settle();
    expect(previews.open).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('sends the views with the context and again whenever one changes, and the preview takes them', async () => {
    const engine = new FakeEngine();
    engine.set({ trace });
    const presenterViews = createViewStore([{ id: 'attention', defaultView: { layer: 0, head: 0 } }]);
    presenterViews.set('attention', { layer: 1 });
    shareWithPreviews(channel(), engine, () => undefined, presenterViews);
    const wire = received(channel());

    const previewViews = createViewStore([{ id: 'attention', defaultView: { layer: 0, head: 0 } }]);
    const drawn: string[] = [];
    previewViews.subscribe(() => drawn.push(`views ${JSON.stringify(previewViews.choices())}`));
    followPresenter(channel(), (context) => drawn.push(`context ${context.trace?.prompt}`), (views) => previewViews.replace(views));
    await settle();
    expect(drawn).toEqual(['views {"attention":{"layer":1}}', 'context Hello']); // the views first: the context is drawn with them

    presenterViews.set('attention', { layer: 2, head: 3 });
    await settle();
    expect(wire.map((message) => message.type)).toEqual(['hello', 'context', 'views']); // the Trace is not sent again
    expect(previewViews.choices()).toEqual({ attention: { layer: 2, head: 3 } });
    expect(drawn).toHaveLength(3);
  });
});
