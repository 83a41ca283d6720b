// npm run model:add -- <owner/name> [--revision <rev>] [--out <folder>] [--dtype fp32|fp16] [--max-gib <n>] [--cache <folder>]
// Fetches a model from the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN honoured) and converts it into a
// model folder the deck and `npm run trace` load. Usage errors exit 2, failures exit 1 with one line.
import { rmSync } from 'node:fs';
import { addModel, parseModelAddArgs, USAGE } from '../hub/add-model';

async function main(): Promise<number> {
  const options = parseModelAddArgs(process.argv.slice(2), process.cwd());
  if (typeof options === 'string') {
    console.error(`model:add: ${options}\n${USAGE}`);
    return 2;
  }
  if ('help' in options) {
    console.log(USAGE);
    return 0;
  }
  // Ctrl-C mid-conversion leaves no half-written model folder (downloads stay, to be resumed).
  let temporary: string | null = null;
  process.once('SIGINT', () => {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
    process.stderr.write('\nmodel:add: interrupted; run the same command again to resume the downloads\n');
    process.exit(130);
  });
  return addModel(options, {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    onTemporaryFolder: (folder) => {
      temporary = folder;
    },
  });
}

process.exitCode = await main();
