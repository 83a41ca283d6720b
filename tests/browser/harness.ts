// What only the browser tests need besides the deck driving in src/browser/: the same prompt computed
// in Node (loadModel + runTrace: the code behind `npm run trace -- --json`) to compare against.
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { MODEL_NAME, MODELS_FOLDER } from '../../src/browser';
import { loadModel, type LoadedModel } from '../../src/engine/load-model';
import { generate } from '../../src/engine/generate';
import { runTrace, tokenize } from '../../src/engine/run-trace';
import type { Trace } from '../../src/trace';

/** The same prompt through the same engine code in Node (onnxruntime-node on the CPU). */
export class NodeReference {
  #loaded: Promise<LoadedModel> | null = null;

  /** The deck's own model by default; another folder of `modelsFolder` by name. */
  constructor(
    private readonly name = MODEL_NAME,
    private readonly modelsFolder = MODELS_FOLDER,
  ) {}

  async trace(prompt: string): Promise<Trace> {
    return runTrace(await this.#model(), prompt);
  }

  /** The greedy answer's ids, as the deck's answer reads the prompt (the loop from the ids, no Trace's pass). */
  async answerIds(prompt: string, maxNewTokens: number): Promise<number[]> {
    const loaded = await this.#model();
    return (await generate(loaded, tokenize(loaded, prompt), { maxNewTokens })).map((step) => step.id);
  }

  #model(): Promise<LoadedModel> {
    this.#loaded ??= loadModel({ name: this.name, modelRoot: this.modelsFolder + sep, backend: 'node-cpu', readTextFile: (file) => readFile(join(this.modelsFolder, this.name, file), 'utf8').catch(() => null) });
    return this.#loaded;
  }
}

/** softmax of the last position's logits: the probability of every token id. */
export function nextTokenProbs(trace: Trace): Float64Array {
  const logits = trace.lastLogits;
  let max = -Infinity;
  for (const value of logits) max = Math.max(max, value);
  const probs = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += probs[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < logits.length; i++) probs[i] /= sum;
  return probs;
}
