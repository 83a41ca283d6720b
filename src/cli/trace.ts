// npm run trace -- --prompt "How do I bake chocolate chip cookies?" [--json] [--model <folder>]
//   [--system S] [--no-chat] [--generate N] [--attribution] [--ablate 2.3,mlp1]
// Runs the model in Node (onnxruntime-node through transformers.js, the same code as the deck's
// worker) and prints the tokens, ids, next-token top-10 and attention. The browser tests compare
// the deck against this output.
import { parseArgs } from 'node:util';
import { generateRun } from '../engine/generate';
import type { LoadedModel } from '../engine/load-model';
import { readFileSync } from 'node:fs';
import { EMPTY_PROMPT_MESSAGE, isEmptyPrompt, normalizePrompt } from '../engine/prompt-rule';
import { runTrace } from '../engine/run-trace';
import { traceSummaryJson } from '../engine/trace-summary';
import { answerText } from '../maths/generation-summary';
import { componentLabel, formatKnockOut, parseKnockOut, rankContributions, type KnockOut, type Trace } from '../trace';
import { loadModelInNode } from './model-folder';

const USAGE = `usage: npm run trace -- --prompt "text" [--json] [--model <folder or name>] [--system "text"] [--no-chat] [--generate N] [--attribution] [--ablate 2.3,mlp1]
  --prompt    the text the model reads (required); for a chat model, the user's message. Line endings
              are read as \n; whitespace alone is an empty prompt (exit 1), as in the deck
  --prompts-file  a JSON array of prompts: one JSON line of ids (or empty: true) per prompt
  --json      print one JSON object: templated, tokens, pieces, ids, topk, attention [layer][head][query][key]
  --model     a model folder with config.json, tokenizer files and onnx/model.onnx (default assets/models/sotu-gpt)
  --system    a system message (chat models)
  --no-chat   read the prompt as typed, even when the model has a chat template
  --generate  also generate up to N tokens (greedy, stopping at the model's end-of-turn ids)
  --attribution  add the top token's logit split into the votes of the embeddings, heads, MLPs and biases
  --ablate    switch parts off for the run: heads as layer.head, MLPs as mlpN (0-based), e.g. 2.3,mlp1
              (needs a model converted with --knock-out)`;

interface GeneratedAnswer {
  ids: number[];
  text: string;
  stoppedBy: 'eos' | 'limit' | 'context' | null;
}

/** Greedy, with the KV cache, until a stop id or `limit` tokens: the deck's own loop. */
async function answer(loaded: LoadedModel, trace: Trace, limit: number, knockOut: KnockOut | null): Promise<GeneratedAnswer> {
  const promptIds = trace.tokens.map((t) => t.id);
  const result = await generateRun(loaded, promptIds, { maxNewTokens: limit, knockOut });
  const run = { useCache: true, steps: result.steps, done: true, stoppedBy: result.stoppedBy };
  return { ids: result.steps.map((s) => s.id), text: answerText(run, loaded.stopIds), stoppedBy: result.stoppedBy };
}

function printReadable(trace: Trace): void {
  const m = trace.model;
  console.log(`model ${m.name}: ${m.nLayer} layers, ${m.nHead} heads, width ${m.nEmbd}, vocabulary ${m.vocabSize}, context ${m.contextLength}`);
  if (trace.chat.template === 'model') console.log(`chat template applied: ${JSON.stringify(trace.chat.templated)}`);
  if (trace.droppedTokens > 0) console.log(`prompt too long: the first ${trace.droppedTokens} tokens were dropped`);
  console.log(`${trace.tokens.length} tokens:`);
  for (const t of trace.tokens) console.log(`  ${String(t.id).padStart(6)}  ${JSON.stringify(t.text)}${t.special ? '  (special)' : ''}`);
  console.log('next token:');
  for (const c of trace.topk) console.log(`  ${(c.prob * 100).toFixed(2).padStart(6)}%  ${String(c.id).padStart(6)}  ${JSON.stringify(c.token)}`);
  console.log(`forward pass ${trace.timings.forwardMs.toFixed(1)} ms`);
}

/** The issue's shape: { target: { id, token, logit }, components: [{ kind, layer, head, value }], sum, gap }. */
function attributionJson(trace: Trace): unknown {
  const attribution = trace.attribution;
  if (!attribution) return { missing: trace.attributionMissing ?? [] };
  const { target, components, sum } = attribution.logit;
  return { target, components, sum, linearisation: { norm: attribution.norm, scale: attribution.scale }, gap: attribution.gap };
}

function printAttribution(trace: Trace): void {
  const attribution = trace.attribution;
  if (!attribution) {
    console.log(`attribution: not available (${(trace.attributionMissing ?? []).map((part) => `${part.needs}: ${part.reason}`).join('; ')})`);
    return;
  }
  const { target, components, sum } = attribution.logit;
  console.log(`votes for ${JSON.stringify(target.token)} (logit ${target.logit.toFixed(3)}, parts sum to ${sum.toFixed(3)}), largest first:`);
  for (const component of rankContributions(components, 10).shown) console.log(`  ${`${component.value >= 0 ? '+' : '−'}${Math.abs(component.value).toFixed(3)}`.padStart(9)}  ${componentLabel(component)}`);
}

function printAnswer(generated: GeneratedAnswer): void {
  console.log(`answer (${generated.ids.length} tokens, stopped by ${generated.stoppedBy}): ${JSON.stringify(generated.text)}`);
}

/**
 * --prompts-file <file.json>: a JSON array of prompts (any string, NUL and lone \r included, which a
 * command line cannot carry), one model load; prints one JSON line per prompt: its ids, or empty: true.
 */
async function tracePromptsFile(file: string, model: string | undefined): Promise<number> {
  try {
    const prompts = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(prompts) || !prompts.every((prompt) => typeof prompt === 'string')) throw new Error(`${file} is not a JSON array of strings`);
    const loaded = await loadModelInNode(model);
    for (const typed of prompts) {
      const prompt = normalizePrompt(typed);
      if (isEmptyPrompt(prompt)) console.log(JSON.stringify({ prompt, empty: true }));
      else console.log(JSON.stringify({ prompt, ids: traceSummaryJson(await runTrace(loaded, { prompt, chat: true })).ids }));
    }
    return 0;
  } catch (error) {
    console.error(`trace: ${(error as Error).message.split('\n')[0]}`);
    return 1;
  }
}

async function main(): Promise<number> {
  let values: { prompt?: string; json?: boolean; model?: string; system?: string; 'no-chat'?: boolean; generate?: string; attribution?: boolean; ablate?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        prompt: { type: 'string' },
        'prompts-file': { type: 'string' },
        json: { type: 'boolean' },
        model: { type: 'string' },
        system: { type: 'string' },
        'no-chat': { type: 'boolean' },
        generate: { type: 'string' },
        attribution: { type: 'boolean' },
        ablate: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
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
  const promptsFile = (values as { 'prompts-file'?: string })['prompts-file'];
  if (promptsFile !== undefined) return tracePromptsFile(promptsFile, values.model);
  if (values.prompt === undefined) {
    console.error(`--prompt is required\n${USAGE}`);
    return 2;
  }
  values.prompt = normalizePrompt(values.prompt); // the deck's rule: \r\n and \r are \n
  if (isEmptyPrompt(values.prompt)) {
    console.error(`trace: ${EMPTY_PROMPT_MESSAGE}`);
    return 1;
  }
  const limit = values.generate === undefined ? null : Number(values.generate);
  if (limit !== null && !(Number.isInteger(limit) && limit > 0)) {
    console.error(`--generate takes a whole number of tokens above 0, not ${JSON.stringify(values.generate)}\n${USAGE}`);
    return 2;
  }
  let knockOut: KnockOut | null = null;
  try {
    knockOut = values.ablate === undefined ? null : parseKnockOut(values.ablate);
  } catch (error) {
    console.error(`--ablate: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const loaded = await loadModelInNode(values.model);
    const trace = await runTrace(loaded, { prompt: values.prompt, system: values.system, chat: !values['no-chat'] }, { knockOut });
    const generated = limit === null ? null : await answer(loaded, trace, limit, knockOut);
    const extra = { ...(knockOut ? { ablate: formatKnockOut(knockOut) } : {}), ...(values.attribution ? { attribution: attributionJson(trace) } : {}) };
    if (values.json) console.log(JSON.stringify({ ...traceSummaryJson(trace), ...extra, ...(generated ? { generation: generated } : {}) }));
    else {
      printReadable(trace);
      if (knockOut) console.log(`knocked out: ${formatKnockOut(knockOut)}`);
      if (values.attribution) printAttribution(trace);
      if (generated) printAnswer(generated);
    }
    return 0;
  } catch (error) {
    console.error(`trace: ${(error as Error).message.split('\n')[0]}`);
    return 1;
  }
}

process.exitCode = await main();
