// npm run trace -- --prompt "How do I bake chocolate chip cookies?" [--json] [--model <folder>]
// Runs the model in Node (onnxruntime-node through transformers.js, the same code as the deck's
// worker) and prints the tokens, ids, next-token top-10 and attention. The browser tests compare
// the deck against this output.
import { parseArgs } from 'node:util';
import { runTrace } from '../engine/run-trace';
import { traceSummaryJson } from '../engine/trace-summary';
import type { Trace } from '../trace';
import { loadModelInNode } from './model-folder';

const USAGE = `usage: npm run trace -- --prompt "text" [--json] [--model <folder or name>]
  --prompt   the text the model reads (required)
  --json     print one JSON object: tokens, pieces, ids, topk, attention [layer][head][query][key]
  --model    a model folder with config.json, tokenizer files and onnx/model.onnx (default assets/models/sotu-gpt)`;

function printReadable(trace: Trace): void {
  const m = trace.model;
  console.log(`model ${m.name}: ${m.nLayer} layers, ${m.nHead} heads, width ${m.nEmbd}, vocabulary ${m.vocabSize}, context ${m.contextLength}`);
  if (trace.droppedTokens > 0) console.log(`prompt too long: the first ${trace.droppedTokens} tokens were dropped`);
  console.log(`${trace.tokens.length} tokens:`);
  for (const t of trace.tokens) console.log(`  ${String(t.id).padStart(6)}  ${JSON.stringify(t.text)}`);
  console.log('next token:');
  for (const c of trace.topk) console.log(`  ${(c.prob * 100).toFixed(2).padStart(6)}%  ${String(c.id).padStart(6)}  ${JSON.stringify(c.token)}`);
  console.log(`forward pass ${trace.timings.forwardMs.toFixed(1)} ms`);
}

async function main(): Promise<number> {
  let values: { prompt?: string; json?: boolean; model?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { prompt: { type: 'string' }, json: { type: 'boolean' }, model: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.prompt === undefined) {
    console.error(`--prompt is required\n${USAGE}`);
    return 2;
  }
  try {
    const loaded = await loadModelInNode(values.model);
    const trace = await runTrace(loaded, values.prompt);
    if (values.json) console.log(JSON.stringify(traceSummaryJson(trace)));
    else printReadable(trace);
    return 0;
  } catch (error) {
    console.error(`trace: ${(error as Error).message.split('\n')[0]}`);
    return 1;
  }
}

process.exitCode = await main();
