// The command line: writes onnx/model.onnx plus config and tokenizer files; usage errors exit 2, failures exit 1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSession } from './onnx-session';
import { makeRandomGpt2Checkpoint } from './random-checkpoint';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'convert-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runCli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/convert.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('convert CLI', () => {
  it('converts a checkpoint folder into a transformers.js model folder', async () => {
    const { config, bytes } = makeRandomGpt2Checkpoint();
    const inDir = join(work, 'checkpoint');
    const outDir = join(work, 'model');
    mkdirSync(inDir);
    writeFileSync(join(inDir, 'config.json'), JSON.stringify(config));
    writeFileSync(join(inDir, 'model.safetensors'), bytes);
    writeFileSync(join(inDir, 'tokenizer.json'), '{}');

    const result = runCli('--in', inDir, '--out', outDir, '--no-trace-outputs');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/wrote .*model\.onnx .*trace outputs off/);
    expect(JSON.parse(readFileSync(join(outDir, 'config.json'), 'utf8'))).toEqual(config);
    expect(existsSync(join(outDir, 'tokenizer.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(outDir, 'generation_config.json'), 'utf8'))).toEqual({ _from_model_config: true });
    const session = await createSession(readFileSync(join(outDir, 'onnx', 'model.onnx')));
    expect(session.outputNames).toContain('logits');
    expect(session.outputNames.some((name) => name.startsWith('trace.'))).toBe(false);
  });

  it('prints usage and exits 2 on an unknown flag', () => {
    const result = runCli('--in', work, '--out', work, '--fp16');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^usage: /);
  });

  it('prints one line and exits 1 when the conversion fails', () => {
    const result = runCli('--in', join(work, 'nowhere'), '--out', join(work, 'out'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^convert: no config\.json in .*nowhere\n$/);
  });
});
