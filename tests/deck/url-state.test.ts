// The URL state's readers: the prompt as typed, and a model name that cannot leave models/.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_NAME, readModelName, readPrompt } from '../../src/deck/url-state';

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
