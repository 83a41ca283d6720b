// Command line: convert a Hugging Face checkpoint folder into a transformers.js model folder.
//   tsx src/cli/convert.ts --in <folder with config.json + model.safetensors> --out <model folder> [--no-trace-outputs]
import { parseArgs } from 'node:util';
import { convertCheckpointFolder } from './convert-folder';

const usage =
  'usage: tsx src/cli/convert.ts --in <folder with config.json + model.safetensors> --out <model folder> [--no-trace-outputs]';

function parseCommandLine(argv: string[]): { inDir: string; outDir: string; traceOutputs: boolean } | null {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        in: { type: 'string' },
        out: { type: 'string' },
        'no-trace-outputs': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    if (!values.in || !values.out) return null;
    return { inDir: values.in, outDir: values.out, traceOutputs: !values['no-trace-outputs'] };
  } catch {
    return null; // unknown flag, missing value, stray argument
  }
}

const options = parseCommandLine(process.argv.slice(2));
if (!options) {
  console.error(usage);
  process.exit(2);
}
try {
  console.log(convertCheckpointFolder(options));
} catch (error) {
  // One line, so scripts and the build can show it as is.
  console.error(`convert: ${((error as Error).message ?? String(error)).split('\n')[0]}`);
  process.exit(1);
}
