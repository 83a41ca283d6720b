// Step 2 of the model recipe: train the GPT-2 with PyTorch (Debian's python3-torch).
//   npm run model:train  ->  build/model/model.safetensors, config.json, training-log.json
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECIPE } from '../train/recipe';

const steps = process.argv.includes('--steps') ? Number(process.argv[process.argv.indexOf('--steps') + 1]) : undefined;
const recipe = steps ? { ...RECIPE, training: { ...RECIPE.training, steps } } : RECIPE;
if (!existsSync(join(RECIPE.paths.corpus, 'train.bin'))) {
  console.error('build/corpus/train.bin is missing: run `npm run model:tokenizer` first');
  process.exit(1);
}
mkdirSync(RECIPE.paths.work, { recursive: true });
const recipePath = join(RECIPE.paths.work, 'recipe.json');
writeFileSync(recipePath, JSON.stringify(recipe, null, 2) + '\n');
// Debian's torch imports only from the system interpreter, not a python3 earlier on PATH.
const result = spawnSync('/usr/bin/python3', ['src/train/train.py', recipePath], { stdio: 'inherit' });
process.exit(result.status ?? 1);
