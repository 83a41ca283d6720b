// The slides' views in the URL: only what differs from the defaults, compact and readable, read back
// exactly; a token is written for the link's prompt only; what cannot be read is dropped quietly.
import { describe, expect, it } from 'vitest';
import { createViewStore } from '../../src/deck/view-store';
import { decodeViews, encodeViews } from '../../src/deck/view-url';
import { readPrompt, readViewParams, searchWith, searchWithAll } from '../../src/deck/url-state';

const views = createViewStore([
  { id: 'attention', defaultView: { layer: 0, head: 0, query: null, queryPrompt: null } },
  { id: 'sampling', defaultView: { temperature: 0.8, topK: 40, topP: 0.95, seed: 42 } },
  { id: 'bpe-training', defaultView: { corpus: 'low lower lowest', step: 0 } },
  { id: 'lm-head', defaultView: { k: 10 } },
]);
const defaultsOf = views.defaultsOf;
const PROMPT = 'The Congress should';

describe('view URL encoding', () => {
  it('writes only the fields that differ, one parameter per view, and reads them back', () => {
    const choices = { attention: { layer: 2, head: 3, query: 5, queryPrompt: PROMPT }, sampling: { temperature: 1.2, seed: 7 }, 'lm-head': { k: 10 } };
    const params = encodeViews(choices, defaultsOf, PROMPT);
    expect(params).toEqual(['attention:layer=2,head=3,query=5', 'sampling:temperature=1.2,seed=7']);
    expect(decodeViews(params, defaultsOf, PROMPT)).toEqual({ attention: { layer: 2, head: 3, query: 5, queryPrompt: PROMPT }, sampling: { temperature: 1.2, seed: 7 } });
  });

  it('puts the views in the search readably, beside the prompt, and reads them from it', () => {
    const search = searchWithAll(searchWith('', 'prompt', PROMPT), 'view', ['attention:layer=2,head=3,query=5']);
    expect(search).toBe('?prompt=The+Congress+should&view=attention:layer=2,head=3,query=5');
    expect(readViewParams(search)).toEqual(['attention:layer=2,head=3,query=5']);
    expect(readPrompt(search)).toBe(PROMPT);
    expect(searchWith(search, 'prompt', 'Hi')).toBe('?prompt=Hi&view=attention:layer=2,head=3,query=5');
    expect(searchWithAll(search, 'view', [])).toBe('?prompt=The+Congress+should');
  });

  it('leaves out a token chosen for an earlier prompt: the slide shows its default then', () => {
    expect(encodeViews({ attention: { head: 1, query: 5, queryPrompt: 'an earlier prompt' } }, defaultsOf, PROMPT)).toEqual(['attention:head=1']);
    expect(encodeViews({ attention: { query: 5, queryPrompt: 'an earlier prompt' } }, defaultsOf, PROMPT)).toEqual([]);
  });

  it('keeps text with commas, colons, equals signs, quotes and a lone surrogate', () => {
    const corpus = "a,b=c:d 'e' %20 家 \uD800";
    const [param] = encodeViews({ 'bpe-training': { corpus, step: 3 } }, defaultsOf, PROMPT);
    const search = searchWithAll('', 'view', [param]);
    expect(decodeViews(readViewParams(search), defaultsOf, PROMPT)).toEqual({ 'bpe-training': { corpus: "a,b=c:d 'e' %20 家 \uFFFD", step: 3 } });
  });

  it('drops unknown views and fields, values of the wrong type and numbers that are not numbers, without an error', () => {
    const params = ['nonsense:layer=1', 'attention:layer=two,head=3,colour=red,queryPrompt=x,query=1e999', 'sampling:seed=null,topK=\'7,temperature=-0.5', 'no colon', 'lm-head:k'];
    expect(decodeViews(params, defaultsOf, PROMPT)).toEqual({ attention: { head: 3 }, sampling: { temperature: -0.5 } });
  });

  it('keeps numbers out of the model’s range (the slide clamps them), and a token chosen in the link for its prompt', () => {
    expect(decodeViews(['attention:layer=99,head=-1,query=1000'], defaultsOf, 'Hi')).toEqual({ attention: { layer: 99, head: -1, query: 1000, queryPrompt: 'Hi' } });
    expect(decodeViews(['attention:query=null'], defaultsOf, 'Hi')).toEqual({ attention: { query: null, queryPrompt: 'Hi' } });
  });

  it('writes nothing for views at their defaults or values a URL cannot hold', () => {
    expect(encodeViews({}, defaultsOf, PROMPT)).toEqual([]);
    expect(encodeViews({ sampling: { topK: Number.NaN }, unknown: { a: 1 } }, defaultsOf, PROMPT)).toEqual([]);
  });
});
