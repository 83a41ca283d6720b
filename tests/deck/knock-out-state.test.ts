// The knock-out as deck state (issue 14 item 2): one `ablate` for the whole deck, set from any slide that
// declares it (who-voted, multi-head, tower), kept in the URL as a plain ?ablate=2.3,mlp1 (an old link's
// ?view=who-voted:ablate=... still read), sent to the previews with the views, and a tower's attention
// button switching a whole layer's heads.
import { describe, expect, it } from 'vitest';
import { deckSlides } from '../../slides/index';
import { knockOutOfViews } from '../../src/deck/knock-out-view';
import { searchWithViews } from '../../src/deck/url-state';
import { createViewStore, DECK_VIEW_ID } from '../../src/deck/view-store';
import { ABLATE_PARAM, searchParamsOfViews, viewsFromSearch } from '../../src/deck/views-in-url';
import { parseKnockOut } from '../../src/trace';
import { togglePart } from '../../src/viz/knock-out-controls';

const byId = (id: string) => deckSlides.find((slide) => slide.id === id)!;
const PROMPT = 'The Congress should';

function deckStore() {
  const views = createViewStore(deckSlides);
  const heard: string[][] = [];
  views.subscribe((ids) => heard.push([...ids].sort()));
  return { views, heard };
}

describe('the knock-out as the deck’s state', () => {
  it('is one value: set from the multi-head slide’s view, the who-voted slide and the tower show it, and the run option follows', () => {
    const { views, heard } = deckStore();
    views.set('attention', { ablate: '2.3' }); // the multi-head slide shares the attention slide's view
    for (const id of ['who-voted', 'multi-head', 'transformer-tower']) expect(views.viewOf(byId(id)).ablate).toBe('2.3');
    expect(knockOutOfViews(views)).toEqual(parseKnockOut('2.3'));
    expect(heard).toEqual([['attention', DECK_VIEW_ID, 'transformer-tower', 'who-voted'].sort()]);
    expect(views.choices()).toEqual({ [DECK_VIEW_ID]: { ablate: '2.3' } }); // not any slide's view
    views.set('transformer-tower', { ablate: '2.3,mlp1' });
    expect(views.viewOf(byId('who-voted')).ablate).toBe('2.3,mlp1');
    views.set('who-voted', { ablate: '' }); // "switch all back on"
    expect(views.choices()).toEqual({});
    expect(knockOutOfViews(views)).toBeNull();
  });

  it('leaves a slide’s own fields its own, and a slide that does not declare it without it', () => {
    const { views, heard } = deckStore();
    views.set('who-voted', { measure: 'gap', ablate: 'mlp0' });
    expect(views.choices()).toEqual({ 'who-voted': { measure: 'gap' }, [DECK_VIEW_ID]: { ablate: 'mlp0' } });
    expect(views.viewOf(byId('multi-head')).measure).toBeUndefined();
    expect(views.viewOf(byId('sampling'))).not.toHaveProperty('ablate');
    heard.length = 0;
    views.set('who-voted', { measure: 'logit' });
    expect(heard).toEqual([['who-voted']]); // no rerun-worthy change
  });

  it('replaces from a preview’s or an old link’s choices: a deck field inside a slide’s view becomes the deck’s', () => {
    const { views } = deckStore();
    views.replace({ 'who-voted': { ablate: '1.0' } });
    expect(views.choices()).toEqual({ [DECK_VIEW_ID]: { ablate: '1.0' } });
    expect(views.viewOf(byId('multi-head')).ablate).toBe('1.0');
    views.replace({ [DECK_VIEW_ID]: { ablate: 'mlp2' }, attention: { layer: 2 } });
    expect(views.viewOf(byId('who-voted')).ablate).toBe('mlp2');
    views.reset();
    expect(views.viewOf(byId('who-voted')).ablate).toBe('');
  });
});

describe('the knock-out in the URL', () => {
  const { views } = deckStore();
  const defaultsOf = views.defaultsOf;

  it('reads ?ablate= as the deck’s knock-out, beside the views', () => {
    expect(viewsFromSearch('?prompt=Hi&ablate=2.3,mlp1&view=attention:layer=2', defaultsOf, 'Hi')).toEqual({ attention: { layer: 2 }, [DECK_VIEW_ID]: { ablate: '2.3,mlp1' } });
    expect(viewsFromSearch('?ablate=2.3%2Cmlp1', defaultsOf, 'Hi')).toEqual({ [DECK_VIEW_ID]: { ablate: '2.3,mlp1' } });
  });

  it('still reads an old link’s ?view=who-voted:ablate=, and ?ablate= wins over it', () => {
    const old = viewsFromSearch("?view=who-voted:measure='gap,ablate='2.3%252Cmlp1", defaultsOf, 'Hi');
    views.replace(old);
    expect(views.choices()).toEqual({ 'who-voted': { measure: 'gap' }, [DECK_VIEW_ID]: { ablate: '2.3,mlp1' } });
    expect(viewsFromSearch("?view=who-voted:ablate='1.1&ablate=mlp0", defaultsOf, 'Hi')).toEqual({ 'who-voted': {}, [DECK_VIEW_ID]: { ablate: 'mlp0' } });
    views.reset();
  });

  it('writes the knock-out as its own readable parameter, never inside ?view=, and nothing when none', () => {
    views.replace({ 'who-voted': { measure: 'gap' }, [DECK_VIEW_ID]: { ablate: '2.3,mlp1' } });
    const written = searchParamsOfViews(views.choices(), defaultsOf, PROMPT);
    expect(written).toEqual({ views: ["who-voted:measure='gap"], ablate: '2.3,mlp1' });
    const search = searchWithViews('?prompt=The+Congress+should', written);
    expect(search).toBe('?prompt=The+Congress+should&ablate=2.3,mlp1&view=who-voted:measure=%27gap');
    expect(new URLSearchParams(search).get(ABLATE_PARAM)).toBe('2.3,mlp1');
    expect(viewsFromSearch(search, defaultsOf, PROMPT)).toEqual(views.choices()); // read back exactly
    views.reset();
    expect(searchWithViews(search, searchParamsOfViews(views.choices(), defaultsOf, PROMPT))).toBe('?prompt=The+Congress+should');
    // An old link rewritten: the knock-out leaves ?view= for ?ablate=.
    views.replace(viewsFromSearch("?view=who-voted:ablate='mlp1", defaultsOf, PROMPT));
    expect(searchWithViews("?view=who-voted:ablate='mlp1", searchParamsOfViews(views.choices(), defaultsOf, PROMPT))).toBe('?ablate=mlp1');
    views.reset();
  });
});

describe('switching a part', () => {
  it('a head or an MLP on and off; a layer’s attention: all its heads at once, then all back', () => {
    const none = parseKnockOut('');
    expect(togglePart(none, { kind: 'head', layer: 2, head: 3 }, 4)).toEqual(parseKnockOut('2.3'));
    expect(togglePart(parseKnockOut('2.3'), { kind: 'head', layer: 2, head: 3 }, 4)).toEqual(none);
    expect(togglePart(parseKnockOut('2.3'), { kind: 'mlp', layer: 1 }, 4)).toEqual(parseKnockOut('2.3,mlp1'));
    const layerOff = togglePart(parseKnockOut('2.3,0.1'), { kind: 'attention', layer: 2 }, 4);
    expect(layerOff).toEqual(parseKnockOut('0.1,2.0,2.1,2.2,2.3'));
    expect(togglePart(layerOff, { kind: 'attention', layer: 2 }, 4)).toEqual(parseKnockOut('0.1'));
  });
});
