// The deck's store of the slides' views: defaults with the presenter's choices over them, views
// shared between slides, listeners told only of real changes, and the choices a preview is sent.
import { describe, expect, it } from 'vitest';
import { deckSlides } from '../../slides/index';
import { createViewStore } from '../../src/deck/view-store';

const attention = { id: 'attention', defaultView: { layer: 0, head: 0, query: null, queryPrompt: null } };
const multiHead = { id: 'multi-head', viewId: 'attention', defaultView: { layer: 0, head: 0 } };
const sampling = { id: 'sampling', defaultView: { temperature: 0.8, topK: 40, topP: 0.95, seed: 42 } };
const title = { id: 'title' };

function store() {
  const views = createViewStore([attention, multiHead, sampling, title]);
  const heard: string[][] = [];
  views.subscribe((ids) => heard.push([...ids]));
  return { views, heard };
}

describe('view store', () => {
  it('gives each slide its defaults, and a slide with no view an empty one', () => {
    const { views } = store();
    expect(views.viewOf(attention)).toEqual({ layer: 0, head: 0, query: null, queryPrompt: null });
    expect(views.viewOf(sampling)).toEqual(sampling.defaultView);
    expect(views.viewOf(title)).toEqual({});
    expect(views.choices()).toEqual({});
  });

  it('keeps a change, tells its listeners which view changed, and hands out copies', () => {
    const { views, heard } = store();
    views.set('attention', { layer: 2, head: 3 });
    expect(views.viewOf(attention)).toEqual({ layer: 2, head: 3, query: null, queryPrompt: null });
    expect(heard).toEqual([['attention']]);
    const copy = views.viewOf(attention);
    copy.layer = 9;
    expect(views.viewOf(attention).layer).toBe(2);
    expect(views.choices()).toEqual({ attention: { layer: 2, head: 3 } });
  });

  it('says nothing when a change changes nothing, and forgets a field set back to its default', () => {
    const { views, heard } = store();
    views.set('sampling', { seed: 42 });
    expect(heard).toEqual([]);
    views.set('sampling', { seed: 7, topK: Number.NaN });
    views.set('sampling', { topK: Number.NaN }); // NaN equals NaN: no change
    expect(heard).toEqual([['sampling']]);
    views.set('sampling', { seed: 42 });
    expect(views.choices()).toEqual({ sampling: { topK: Number.NaN } });
  });

  it('shares one view between slides naming the same viewId, with the fields of both', () => {
    const { views, heard } = store();
    views.set('attention', { layer: 1, head: 2 }); // the multi-head slide's setView goes to its viewId
    expect(views.viewOf(multiHead)).toEqual({ layer: 1, head: 2, query: null, queryPrompt: null });
    expect(views.viewOf(attention)).toMatchObject({ layer: 1, head: 2 });
    expect(views.defaultsOf('attention')).toEqual(attention.defaultView);
    expect(heard).toEqual([['attention']]);
  });

  it('replaces every choice at once (a preview following its presenter), telling only the views that changed', () => {
    const { views, heard } = store();
    views.set('attention', { layer: 1 });
    views.set('sampling', { seed: 5 });
    heard.length = 0;
    views.replace({ attention: { layer: 1 }, sampling: { temperature: 0 } });
    expect(heard).toEqual([['sampling']]);
    expect(views.viewOf(sampling)).toEqual({ temperature: 0, topK: 40, topP: 0.95, seed: 42 });
    views.reset();
    expect(heard.at(-1)?.sort()).toEqual(['attention', 'sampling']);
    expect(views.choices()).toEqual({});
  });

  it('knows the deck’s own slides: the multi-head slide shares the attention slide’s view, the last slide the sampling slide’s', () => {
    const views = createViewStore(deckSlides);
    views.set('attention', { layer: 2, head: 3 });
    views.set('sampling', { seed: 7 });
    const byId = (id: string) => deckSlides.find((slide) => slide.id === id)!;
    expect(views.viewOf(byId('multi-head'))).toMatchObject({ layer: 2, head: 3 });
    expect(views.viewOf(byId('complete-response'))).toMatchObject({ seed: 7 });
    expect(views.viewOf(byId('qkv'))).toMatchObject({ layer: 0, head: 0 });
  });
});
