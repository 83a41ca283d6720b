// Autoregressive generation, one token at a time, with or without the KV cache, reporting each step.
// Written over model() rather than transformers.js's generate(): generate() hides each step's
// distribution and cannot be seeded, and the deck shows both.
import type { Tensor } from '@huggingface/transformers';
import { GREEDY, seededRandom, type SamplingSettings } from '../maths/sampling';
import type { GenerationRun, GenerationStep, LogitLensRow } from '../trace';
import { cacheOnCpu, disposeGpuTensors, presentToPast, type KvCache } from './kv-cache';
import type { LoadedModel } from './load-model';
import { describeToken } from './run-trace';
import type { KnockOut } from '../trace/knock-out';
import { hasLensSwitch } from './trace-switch';
import { graphLogitLens } from './graph-lens';
import { chooseStepToken, type StepChoice } from './step-choice';
import { yieldWhenDue } from './event-loop-yield';
import { forward, lastPositionLogits } from './forward';
import { promptLens } from './prompt-lens';

export type { GenerationStep };

export interface GenerateOptions {
  maxNewTokens: number;
  sampling?: SamplingSettings;
  seed?: number;
  useCache?: boolean;
  /** Ids that end the answer; the step that draws one is the last. Default: the model's own (generation_config.json). */
  stopIds?: readonly number[];
  /** Stop at the stop ids (default true); false runs to the limit. */
  stopAtEndOfText?: boolean;
  /** The cache of a prefix of the prompt's ids (the previous turn's, cut to the shared prefix): the first step computes only the rest. */
  startCache?: KvCache;
  /** The prompt's own pass, already run (the Trace's): with the cache, the first token comes from it, with no call. */
  promptPass?: PromptPass;
  /** Return the cache after the last step, on the CPU, for the next turn. */
  keepCache?: boolean;
  onStep?: (step: GenerationStep) => void;
  /** Checked before each step: a newer prompt makes this generation moot. */
  shouldStop?: () => boolean;
  /** Heads and MLPs switched off (a model converted with the knock-out inputs). */
  knockOut?: KnockOut | null;
  /** Ask the session for every output, trace outputs included (the loop before the lean steps; tests and the bench compare). */
  allOutputs?: boolean;
  /**
   * The logit lens at the prompt's last position (a deferred lens: the traced pass left it out), handed here when
   * the graph has the lens's switch: computed by the first step, whose last input is that token, or, when
   * `lensWanted` turns true later, by a pass of its own before the next step.
   */
  onLens?: (rows: LogitLensRow[]) => void;
  /** With onLens, checked before each step until the lens is computed: whether it is wanted now. Absent: at once. */
  lensWanted?: () => boolean;
}

/** A pass over the whole prompt that has already run: what the answer's first step would compute. */
export interface PromptPass {
  /** Every prompt id's keys and values (on the GPU on WebGPU: the answer's steps take them over and free them). */
  cache: KvCache;
  /** The logits at the prompt's last position. */
  lastLogits: Float32Array;
  /** The pass's wall time, reported as the first step's. */
  ms: number;
}

export interface GenerateResult {
  steps: GenerationStep[];
  /** Why it ended; null when shouldStop stopped it. */
  stoppedBy: GenerationRun['stoppedBy'];
  /** With keepCache and useCache: every layer's keys and values for `ids` (the prompt and all answer tokens but the last). */
  cache: KvCache | null;
}

/** A token's text as a generation step shows it, decoded once per model (a decode costs microseconds, six a step). */
function stepText(loaded: LoadedModel, id: number): string {
  let texts = stepTexts.get(loaded);
  if (!texts) stepTexts.set(loaded, (texts = new Map()));
  let text = texts.get(id);
  if (text === undefined) texts.set(id, (text = loaded.tokenizer.decode([id], { skip_special_tokens: false })));
  return text;
}
const stepTexts = new WeakMap<LoadedModel, Map<number, string>>();

export async function generate(loaded: LoadedModel, promptIds: number[], options: GenerateOptions): Promise<GenerationStep[]> {
  return (await generateRun(loaded, promptIds, options)).steps;
}

export async function generateRun(loaded: LoadedModel, promptIds: number[], options: GenerateOptions): Promise<GenerateResult> {
  const sampling = options.sampling ?? GREEDY;
  const random = seededRandom(options.seed ?? 0);
  const useCache = options.useCache ?? true;
  const stopIds = options.stopAtEndOfText === false ? [] : (options.stopIds ?? loaded.stopIds);
  const start = useCache ? options.startCache : undefined;
  if (start && (start.ids.length >= promptIds.length || start.ids.some((id, i) => id !== promptIds[i]))) {
    throw new Error('the start cache must hold a strict prefix of the prompt');
  }
  const promptPass = useCache ? options.promptPass : undefined;
  if (promptPass && (start || promptPass.cache.ids.length !== promptIds.length || promptPass.cache.ids.some((id, i) => id !== promptIds[i]))) {
    throw new Error("the prompt's pass must hold the whole prompt, and comes instead of a start cache");
  }
  const ids = [...promptIds];
  const steps: GenerationStep[] = [];
  let past: Record<string, Tensor> | null = (promptPass?.cache ?? start)?.past ?? null;
  let pastLength = (promptPass?.cache ?? start)?.ids.length ?? 0; // the ids the cache holds
  let stoppedBy: GenerationRun['stoppedBy'] = null;
  let lensPending = options.onLens !== undefined && hasLensSwitch(loaded);

  for (;;) {
    await yieldWhenDue(); // a newer prompt's message gets in between steps (see event-loop-yield.ts)
    if (steps.length >= options.maxNewTokens) stoppedBy = 'limit';
    else if (ids.length >= loaded.info.contextLength) stoppedBy = 'context';
    if (stoppedBy || options.shouldStop?.()) break;
    const fromPromptPass = promptPass !== undefined && steps.length === 0;
    const lensNow = lensPending && (options.lensWanted?.() ?? true);
    if (lensNow && (steps.length > 0 || fromPromptPass)) {
      // No step of this answer reads the prompt's last token now: a call of its own (one step, from the pass's cache).
      lensPending = false;
      const rows = await promptLens(loaded, promptIds, options.knockOut, fromPromptPass ? promptPass.cache : null);
      if (rows) options.onLens!(rows);
    }
    const started = performance.now();
    const lens = lensNow && steps.length === 0 && !fromPromptPass;
    if (lens) lensPending = false;
    let choice: StepChoice;
    if (fromPromptPass) {
      choice = chooseStepToken({}, () => promptPass.lastLogits, sampling, random()); // the pass read the prompt: no call
    } else {
      // With a cache, only the ids it does not hold go in (after the first step: the newest token).
      const outputs = await forward(loaded, ids.slice(pastLength), pastLength, past, { knockOut: options.knockOut, allOutputs: options.allOutputs, lens });
      if (lens) {
        const rows = graphLogitLens(outputs, loaded.traceOutputs, loaded.info.nLayer, (tokenId) => describeToken(loaded, tokenId).text);
        if (rows) options.onLens!(rows);
      }
      choice = chooseStepToken(outputs, () => lastPositionLogits(outputs), sampling, random()); // read before the buffers go
      if (useCache) {
        const next = presentToPast(outputs);
        if (past) disposeGpuTensors(Object.values(past));
        past = next;
        pastLength = ids.length;
      }
      disposeGpuTensors(Object.values(outputs), new Set(past ? Object.values(past) : []));
    }

    const id = choice.id;
    const step: GenerationStep = {
      id,
      text: stepText(loaded, id),
      bytes: describeToken(loaded, id).bytes,
      prob: choice.prob,
      top5: choice.top.map((candidate) => ({ id: candidate.id, text: stepText(loaded, candidate.id), prob: candidate.prob })),
      ms: fromPromptPass ? promptPass.ms : performance.now() - started,
      ...(lens ? { withLogitLens: true } : {}),
      ...(fromPromptPass ? { fromPromptPass: true } : {}),
    };
    steps.push(step);
    options.onStep?.(step);
    ids.push(id);
    if (stopIds.includes(id)) {
      stoppedBy = 'eos';
      break;
    }
  }
  let cache: KvCache | null = null;
  if (past && options.keepCache) cache = { ids: ids.slice(0, pastLength), past: await cacheOnCpu(past) };
  else if (past) disposeGpuTensors(Object.values(past));
  return { steps, stoppedBy, cache };
}
