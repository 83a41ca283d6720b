// The Node `trace` command: the reference the browser tests compare against.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IM_END, IM_START, TINY_CHAT_PROMPT, TINY_CHAT_STOP_ID, TINY_CHAT_STOP_STEP, writeTinyChatFolder } from '../fixtures/tiny-chat';

function trace(...args: string[]) {
  const result = spawnSync('npx', ['tsx', 'src/cli/trace.ts', ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run trace', () => {
  it('prints tokens, ids, top-10 and attention as one JSON object', () => {
    const { code, stdout } = trace('--prompt', 'How do I bake chocolate chip cookies?', '--json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.tokens.join('')).toBe('How do I bake chocolate chip cookies?');
    expect(out.ids).toHaveLength(out.tokens.length);
    expect(out.topk).toHaveLength(10);
    const probs = out.topk.map((c: { prob: number }) => c.prob);
    expect([...probs].sort((a, b) => b - a)).toEqual(probs);
    expect(probs.reduce((a: number, b: number) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6);
    expect(out.attention).toHaveLength(4); // layers
    const head = out.attention[0][0];
    expect(head).toHaveLength(out.ids.length);
    head.forEach((row: number[], query: number) => {
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      row.slice(query + 1).forEach((p) => expect(p).toBe(0)); // causal: no weight on later tokens
    });
  });

  it('prints a readable summary without --json', () => {
    const { code, stdout } = trace('--prompt', 'Hello');
    expect(code).toBe(0);
    expect(stdout).toMatch(/next token:/);
  });

  it('rejects unknown flags with usage and exit code 2', () => {
    const { code, stderr } = trace('--prompt', 'x', '--temperature', '2');
    expect(code).toBe(2);
    expect(stderr).toMatch(/usage: npm run trace/);
  });

  it('gives a one-line message for an empty prompt', () => {
    const { code, stderr } = trace('--prompt', '');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'))).toEqual([
      'trace: The prompt is empty: type something for the model to read.',
    ]);
  });

  it('names a missing model folder', () => {
    const { code, stderr } = trace('--prompt', 'x', '--model', 'no/such/model');
    expect(code).toBe(1);
    expect(stderr).toMatch(/model folder not found \(no config.json\): no\/such\/model/);
  });
});

describe('npm run trace on a chat model', () => {
  const modelsRoot = mkdtempSync(join(tmpdir(), 'trace-cli-chat-'));
  let folder: string;
  beforeAll(() => {
    folder = writeTinyChatFolder(modelsRoot);
  });
  afterAll(() => rmSync(modelsRoot, { recursive: true, force: true }));
  const json = (...args: string[]) => {
    const { code, stdout, stderr } = trace('--model', folder, '--json', ...args);
    expect(code, stderr).toBe(0);
    return JSON.parse(stdout);
  };

  it('prints the templated text, and ids are the templated ids with the special tokens marked', () => {
    const out = json('--prompt', TINY_CHAT_PROMPT, '--system', 'Be brief.');
    expect(out.template).toBe('model');
    expect(out.templated).toBe(`<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n${TINY_CHAT_PROMPT}<|im_end|>\n<|im_start|>assistant\n`);
    expect(out.tokens.join('')).toBe(out.templated);
    expect(out.ids[0]).toBe(IM_START);
    out.ids.forEach((id: number, i: number) => expect(out.special[i]).toBe(id === IM_START || id === IM_END));
    expect(out.generation).toBeUndefined();
  });

  it('--no-chat reads the prompt as typed', () => {
    const out = json('--prompt', TINY_CHAT_PROMPT, '--no-chat');
    expect(out.template).toBe('none');
    expect(out.templated).toBe(TINY_CHAT_PROMPT);
    expect(out.tokens.join('')).toBe(TINY_CHAT_PROMPT);
  });

  it('--generate N answers greedily and stops at the model stop ids, or at N', () => {
    const out = json('--prompt', TINY_CHAT_PROMPT, '--generate', '40');
    expect(out.generation.stoppedBy).toBe('eos');
    expect(out.generation.ids).toHaveLength(TINY_CHAT_STOP_STEP + 1);
    expect(out.generation.ids.at(-1)).toBe(TINY_CHAT_STOP_ID);
    expect(out.generation.text.length).toBeGreaterThan(0);
    const short = json('--prompt', TINY_CHAT_PROMPT, '--generate', '2');
    expect(short.generation).toMatchObject({ ids: out.generation.ids.slice(0, 2), stoppedBy: 'limit' });
  });

  it('refuses a --generate that is not a positive whole number', () => {
    const { code, stderr } = trace('--model', folder, '--prompt', 'x', '--generate', 'lots');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--generate takes a whole number/);
  });
});
