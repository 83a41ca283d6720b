// One rule for the prompt in the deck, the plugin, the URL and the CLI: \r\n and \r read as \n, whitespace alone is empty.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readPrompt } from '../../src/deck/url-state';
import { isEmptyPrompt, normalizePrompt } from '../../src/engine/prompt-rule';

describe('the prompt rule', () => {
  it('reads \\r\\n and a lone \\r as \\n, and changes nothing else', () => {
    expect(normalizePrompt('a\r\nb\rc\n\nd\u2028e\u0085f')).toBe('a\nb\nc\n\nd\u2028e\u0085f');
    expect(normalizePrompt('\r\r\n')).toBe('\n\n');
  });
  it('calls whitespace alone empty: spaces, tabs, 5,000 newlines, no-break spaces; not a zero-width space or a NUL', () => {
    for (const blank of ['', '   ', '\t\t', '\n'.repeat(5000), '\u00a0\u00a0', '\u3000', '\r\n', '\ufeff']) expect(isEmptyPrompt(blank), JSON.stringify(blank)).toBe(true);
    for (const text of ['\u200b', '\u0000', ' a ', '.']) expect(isEmptyPrompt(text), JSON.stringify(text)).toBe(false);
  });
  it('?prompt= and the plugin\'s prompt option follow it', () => {
    expect(readPrompt('?prompt=a%0D%0Ab%0Dc')).toBe('a\nb\nc');
    expect(readPrompt('', 'x\r\ny')).toBe('x\ny');
  });
});

describe('npm run trace under the rule', () => {
  const trace = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/trace.ts', ...args], { encoding: 'utf8' });
  it('refuses whitespace alone as an empty prompt (exit 1), as the deck invites one', () => {
    const result = trace('--prompt', ' \t\u00a0\n\n');
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('trace: The prompt is empty: type something for the model to read.');
  });
  it('runs a prompt with \\r\\n as the same prompt with \\n', () => {
    const ids = (prompt: string) => JSON.parse(trace('--prompt', prompt, '--json').stdout).ids as number[];
    expect(ids('one\r\ntwo\rthree')).toEqual(ids('one\ntwo\nthree'));
  });
});
