// Command line: convert a Hugging Face checkpoint folder into a transformers.js model folder.
//   tsx src/cli/convert.ts --in <folder with config.json + model.safetensors> --out <model folder> [--dtype fp32|fp16] [--no-trace-outputs] [--knock-out]
// --knock-out adds the head_mask / mlp_mask inputs the deck switches heads and MLPs off with.
// The checkpoint may be sharded (model.safetensors.index.json); --dtype fp16 also writes onnx/model_fp16.onnx.
// Memory stays near the largest tensor, not the model: a Llama-3.2-1B-sized bf16 checkpoint converted in 26 s
// (38 s with --dtype fp16) at 1.8 GB peak on a 2-core machine, writing onnx/model.onnx_data past 2 GiB.
// Then trace-extras.json beside config.json: the slides' prompt-independent weight-derived values (src/cli/trace-extras-writer.ts).
import { parseArgs } from 'node:util';
import { convertCheckpointFolder, type ConvertFolderOptions } from './convert-folder';

const usage =
  'usage: tsx src/cli/convert.ts --in <folder with config.json + model.safetensors or its shards> --out <model folder> [--dtype fp32|fp16] [--no-trace-outputs] [--knock-out]';

function parseCommandLine(argv: string[]): ConvertFolderOptions | null {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        in: { type: 'string' },
        out: { type: 'string' },
        'no-trace-outputs': { type: 'boolean', default: false },
        'knock-out': { type: 'boolean', default: false },
        dtype: { type: 'string', default: 'fp32' },
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
    if (values.dtype !== 'fp32' && values.dtype !== 'fp16') return null;
    return { inDir: values.in, outDir: values.out, traceOutputs: !values['no-trace-outputs'], knockOut: values['knock-out'], dtype: values.dtype };
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
  console.log(convertCheckpointFolder(options)); // with trace outputs, also trace-extras.json (the slides' weight-derived values)
} catch (error) {
  // One line, so scripts and the build can show it as is.
  console.error(`convert: ${((error as Error).message ?? String(error)).split('\n')[0]}`);
  process.exit(1);
}
