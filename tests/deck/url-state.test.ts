// The URL state's readers: the prompt as typed, and a model name that cannot leave models/.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_NAME, MAX_NEW_TOKENS_LIMIT, readMaxNewTokens, readModelName, readPrompt, readSystem, searchWith } from '../../src/deck/url-state';

describe('url state', () => {
  it('reads the prompt exactly, markup and Unicode included', () => {
    const prompt = '<script>x</script> 家族 👩‍👩‍👧';
    expect(readPrompt(`?${new URLSearchParams({ prompt })}`)).toBe(prompt);
    expect(readPrompt('')).toBe('');
  });

  it('takes only plain model folder names', () => {
    expect(readModelName('?model=tiny-gpt2')).toBe('tiny-gpt2');
    for (const bad of ['../secret', '.hidden', 'a/b', '']) expect(readModelName(`?model=${encodeURIComponent(bad)}`)).toBe(DEFAULT_MODEL_NAME);
  });
});

describe('url state: the conversation', () => {
  it('reads ?system= as typed, and none when absent', () => {
    const system = 'Answer like a pirate & <b>briefly</b>';
    expect(readSystem(`?${new URLSearchParams({ system })}`)).toBe(system);
    expect(readSystem('?prompt=x')).toBe('');
  });

  it('reads ?max-new-tokens= as a whole number from 1, capped, else the engine default (null)', () => {
    expect(readMaxNewTokens('?max-new-tokens=64')).toBe(64);
    expect(readMaxNewTokens(`?max-new-tokens=${MAX_NEW_TOKENS_LIMIT + 1}`)).toBe(MAX_NEW_TOKENS_LIMIT);
    for (const bad of ['0', '-3', '2.5', 'many', '']) expect(readMaxNewTokens(`?max-new-tokens=${bad}`), bad).toBeNull();
    expect(readMaxNewTokens('')).toBeNull();
  });

  it('sets and removes one parameter, keeping the others', () => {
    expect(searchWith('?prompt=hi&model=a', 'system', 'be kind')).toBe('?prompt=hi&model=a&system=be+kind');
    expect(searchWith('?prompt=hi&system=x', 'system', '')).toBe('?prompt=hi');
    expect(searchWith('', 'model', 'tiny-chat')).toBe('?model=tiny-chat');
  });
});
