// The command line: writes onnx/model.onnx plus config and tokenizer files; usage errors exit 2, failures exit 1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSession } from './onnx-session';
import { makeRandomGpt2Checkpoint, makeRandomLlamaCheckpoint } from './random-checkpoint';

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
    // config.json as given, plus the precisions converted (the engine's manifest of onnx/ files).
    expect(JSON.parse(readFileSync(join(outDir, 'config.json'), 'utf8'))).toEqual({ ...config, onnx_dtypes: ['fp32'] });
    expect(existsSync(join(outDir, 'tokenizer.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(outDir, 'generation_config.json'), 'utf8'))).toEqual({ _from_model_config: true });
    const session = await createSession(readFileSync(join(outDir, 'onnx', 'model.onnx')));
    expect(session.outputNames).toContain('logits');
    expect(session.outputNames.some((name) => name.startsWith('trace.'))).toBe(false);
  });

  it('converts a Llama checkpoint folder (BF16 weights), with trace outputs', async () => {
    const { config, bytes } = makeRandomLlamaCheckpoint({ num_key_value_heads: 2, dtype: 'BF16' });
    const inDir = join(work, 'llama-checkpoint');
    const outDir = join(work, 'llama-model');
    mkdirSync(inDir);
    writeFileSync(join(inDir, 'config.json'), JSON.stringify({ ...config, bos_token_id: 1, eos_token_id: 2 }));
    writeFileSync(join(inDir, 'model.safetensors'), bytes);
    writeFileSync(join(inDir, 'chat_template.jinja'), '{{ messages }}');

    const result = runCli('--in', inDir, '--out', outDir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/wrote .*model\.onnx .*trace outputs on/);
    expect(existsSync(join(outDir, 'chat_template.jinja'))).toBe(true);
    expect(JSON.parse(readFileSync(join(outDir, 'generation_config.json'), 'utf8'))).toEqual({
      _from_model_config: true,
      bos_token_id: 1,
      eos_token_id: 2,
    });
    const session = await createSession(readFileSync(join(outDir, 'onnx', 'model.onnx')));
    expect(session.outputNames).toContain('trace.layers.attn.k_unrotated'); // every layer's, stacked
    expect(session.inputNames).toContain('past_key_values.1.value');
  });

  it('reads a 2 GiB weights file by its header, not whole (a zeroed header is named in one line)', () => {
    const inDir = join(work, 'too-large');
    mkdirSync(inDir);
    writeFileSync(join(inDir, 'config.json'), JSON.stringify(makeRandomLlamaCheckpoint().config));
    writeFileSync(join(inDir, 'model.safetensors'), '');
    truncateSync(join(inDir, 'model.safetensors'), 2 ** 31); // sparse: takes no disk space
    const result = runCli('--in', inDir, '--out', join(work, 'too-large-out'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^convert: model\.safetensors: safetensors header is not valid JSON/);
  });

  it('names what is wrong with a sharded checkpoint\'s index', () => {
    const inDir = join(work, 'sharded');
    mkdirSync(inDir);
    writeFileSync(join(inDir, 'config.json'), JSON.stringify(makeRandomLlamaCheckpoint().config));
    writeFileSync(join(inDir, 'model.safetensors.index.json'), '{}');
    const result = runCli('--in', inDir, '--out', join(work, 'sharded-out'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^convert: model\.safetensors\.index\.json has no weight_map object\n$/);
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
