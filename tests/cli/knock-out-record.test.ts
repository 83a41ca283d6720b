// A model folder remembers that it was converted with the knock-out inputs (config.json knock_out_inputs: true),
// so rebuilding its graph from its own weights (src/cli/reconvert-model.ts, as the embedded model's later
// reconversions do) keeps head_mask / mlp_mask without being told; a folder converted without them stays without.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertCheckpointFolder } from '../../src/cli/convert-folder';
import { readInitializerFields } from '../../src/convert/onnx-initializers';
import { HEAD_MASK_INPUT, KNOCK_OUT_CONFIG_KEY, MLP_MASK_INPUT } from '../../src/trace/knock-out';
import { createSession } from '../convert/onnx-session';
import { makeRandomGpt2Checkpoint } from '../convert/random-checkpoint';

const work = mkdtempSync(join(tmpdir(), 'knock-out-record-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function checkpointFolder(name: string): string {
  const { config, bytes } = makeRandomGpt2Checkpoint({ seed: 95 });
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'model.safetensors'), bytes);
  return dir;
}

const reconvert = (folder: string, ...args: string[]) => spawnSync('npx', ['tsx', 'src/cli/reconvert-model.ts', '--model', folder, ...args], { encoding: 'utf8' });
const onnxOf = (folder: string) => new Uint8Array(readFileSync(join(folder, 'onnx', 'model.onnx')));
const inputsOf = async (folder: string) => (await createSession(onnxOf(folder))).inputNames;
/** Every initializer's name, type, shape and bytes. */
const initializers = (folder: string) => readInitializerFields(onnxOf(folder)).map((t) => `${t.name}:${t.data_type}:${t.dims.join('x')}:${Buffer.from(t.raw_data ?? []).toString('base64')}`);

describe('the knock-out inputs are recorded and kept', () => {
  it('npm run convert -- --knock-out records them; a reconversion without the flag keeps them, its initializers bit for bit', async () => {
    const model = join(work, 'with');
    convertCheckpointFolder({ inDir: checkpointFolder('with-checkpoint'), outDir: model, knockOut: true });
    expect(JSON.parse(readFileSync(join(model, 'config.json'), 'utf8'))[KNOCK_OUT_CONFIG_KEY]).toBe(true);
    const before = initializers(model);
    const result = reconvert(model);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('knock-out inputs on');
    expect(await inputsOf(model)).toEqual(expect.arrayContaining([HEAD_MASK_INPUT, MLP_MASK_INPUT]));
    expect(initializers(model).filter((entry) => before.includes(entry))).toHaveLength(before.length);
  }, 120_000);

  it('a folder converted without them stays without, until --knock-out adds and records them', async () => {
    const model = join(work, 'without');
    convertCheckpointFolder({ inDir: checkpointFolder('without-checkpoint'), outDir: model });
    expect(JSON.parse(readFileSync(join(model, 'config.json'), 'utf8'))).not.toHaveProperty(KNOCK_OUT_CONFIG_KEY);
    expect(reconvert(model).status).toBe(0);
    expect(await inputsOf(model)).not.toContain(HEAD_MASK_INPUT);
    expect(reconvert(model, '--knock-out').status).toBe(0);
    expect(await inputsOf(model)).toEqual(expect.arrayContaining([HEAD_MASK_INPUT, MLP_MASK_INPUT]));
    expect(JSON.parse(readFileSync(join(model, 'config.json'), 'utf8'))[KNOCK_OUT_CONFIG_KEY]).toBe(true);
  }, 120_000);
});
