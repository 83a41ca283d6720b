// Slide: the transformer tower. This model's real stack of blocks (bottom: the embeddings enter;
// top: the final norm and the LM head), its real sizes, and the inside of one chosen block
// (pre-norm order, GPT-2's and Llama's: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))) with numbers for the
// prompt's last token.
//
// Test hooks:
//   root: data-layer (the opened block), data-query (the token the numbers are for: the last one)
//   .tb-model-facts: data-n-layer, data-n-head, data-n-embd, data-head-dim, data-mlp-width,
//     data-context-length, data-vocab-size, data-parameter-count ("" when unknown)
//   .tb-tower-block: data-layer (one per block); .tb-tower-block[aria-pressed="true"] is the open one
//   .tb-block-numbers: data-norm-in, data-norm-after-attn, data-norm-out (L2 norms of the residual
//     stream at the last token: entering, after the attention add, leaving), data-mean-entropy (bits,
//     mean over the block's heads of the last token's attention entropy), data-max-entropy (log2 of
//     the visible keys: the entropy of perfectly even attention)
import { layerOutput } from '../src/trace/output-names';
import { entropyBits } from '../src/maths/attention-maths';
import { euclideanNorm } from '../src/maths/layer-norm-stats';
import { architectureSummary, feedForwardName, normName } from '../src/viz/architecture-names';
import { clampIndex } from '../src/viz/block-controls';
import { formatValue } from '../src/viz/block-number-format';
import { lookupTensors, residualInputName } from '../src/viz/block-tensors';
import { html, svg } from '../src/viz/dom';
import { formatCount, plural } from '../src/viz/format';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tensorRow, type Trace } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './10-transformer-tower.css';

export interface TowerView {
  /** The opened block. */
  layer: number;
}

const DEFAULT_VIEW: TowerView = { layer: 0 };

const TOWER_WIDTH = 400;
const TOWER_HEIGHT = 560;
const END_BOX_HEIGHT = 62; // the embeddings box below the blocks and the ln_f + LM head box above
const GAP = 6;
const MIN_LABELLED_HEIGHT = 22; // below this a block is too thin for its label

function selectedLayer(trace: Trace, view: TowerView): number {
  return clampIndex(view.layer, 0, Math.max(0, trace.model.nLayer - 1));
}

export interface BlockNumbers {
  layer: number;
  token: number;
  normIn: number;
  normAfterAttn: number;
  normOut: number;
  meanEntropyBits: number;
  maxEntropyBits: number;
}

/** The block's real numbers at the last token, or what is missing. */
export function blockNumbers(trace: Trace, layer: number): { ok: true; numbers: BlockNumbers } | { ok: false; missing: string[]; problem: string } {
  const n = trace.tokens.length;
  const d = trace.model.nEmbd;
  const inputName = residualInputName(layer);
  const afterAttnName = layerOutput(layer, 'resid.after_attn');
  const outName = layerOutput(layer, 'resid.after_mlp');
  const probsName = layerOutput(layer, 'attn.probs');
  const lookup = lookupTensors(
    trace,
    [
      { name: inputName, shape: [n, d] },
      { name: afterAttnName, shape: [n, d] },
      { name: outName, shape: [n, d] },
      { name: probsName, shape: [null, n, n] },
    ],
    `the numbers inside layer ${layer}`,
  );
  if (!lookup.ok) return lookup;
  const token = n - 1;
  const probs = lookup.tensors[probsName];
  const heads = probs.shape[0];
  let entropySum = 0;
  for (let head = 0; head < heads; head++) entropySum += entropyBits(tensorRow(probs, head, token), token + 1);
  return {
    ok: true,
    numbers: {
      layer,
      token,
      normIn: euclideanNorm(tensorRow(lookup.tensors[inputName], token)),
      normAfterAttn: euclideanNorm(tensorRow(lookup.tensors[afterAttnName], token)),
      normOut: euclideanNorm(tensorRow(lookup.tensors[outName], token)),
      meanEntropyBits: heads > 0 ? entropySum / heads : Number.NaN,
      maxEntropyBits: Math.log2(token + 1),
    },
  };
}

function modelFacts(trace: Trace): HTMLElement {
  const m = trace.model;
  const fact = (value: string, label: string) =>
    html('div', { className: 'tb-fact' }, [html('span', { className: 'tb-fact-value', text: value }), html('span', { className: 'tb-fact-label', text: label })]);
  const facts = html('div', { className: 'tb-model-facts' }, [
    fact(String(m.nLayer), m.nLayer === 1 ? 'block' : 'blocks'),
    fact(String(m.nHead), m.architecture.kvHeads === m.nHead ? 'heads per block' : `query heads per block (${m.architecture.kvHeads} key/value)`),
    fact(formatCount(m.nEmbd), 'numbers per token'),
    fact(String(m.headDim), 'per head'),
    fact(formatCount(m.mlpWidth), 'feed-forward neurons'),
    fact(formatCount(m.contextLength), 'tokens of context'),
    fact(formatCount(m.vocabSize), 'vocabulary'),
    fact(m.parameterCount === null ? 'unknown' : formatCount(m.parameterCount), 'parameters'),
  ]);
  const hooks: Record<string, number | null> = {
    nLayer: m.nLayer,
    nHead: m.nHead,
    nEmbd: m.nEmbd,
    headDim: m.headDim,
    mlpWidth: m.mlpWidth,
    contextLength: m.contextLength,
    vocabSize: m.vocabSize,
    parameterCount: m.parameterCount,
  };
  for (const [key, value] of Object.entries(hooks)) facts.dataset[key] = value === null ? '' : String(value);
  return facts;
}

function tower(trace: Trace, chosen: number, onChoose: (layer: number) => void): SVGSVGElement {
  const nLayer = Math.max(0, trace.model.nLayer);
  const root = svg('svg', { className: 'tb-tower', attrs: { viewBox: `0 0 ${TOWER_WIDTH} ${TOWER_HEIGHT}`, role: 'group', 'aria-label': 'The stack of blocks' } });
  const stackTop = END_BOX_HEIGHT + GAP;
  const stackHeight = TOWER_HEIGHT - 2 * (END_BOX_HEIGHT + GAP);
  const pitch = nLayer > 0 ? stackHeight / nLayer : stackHeight;
  const blockHeight = Math.max(1, pitch - (pitch > 8 ? GAP : 0));
  const labelEvery = pitch >= MIN_LABELLED_HEIGHT ? 1 : Math.ceil(MIN_LABELLED_HEIGHT / pitch);

  const endBox = (y: number, text: string, className: string) =>
    svg('g', { className }, [
      svg('rect', { className: 'tb-tower-end', attrs: { x: 0, y, width: TOWER_WIDTH, height: END_BOX_HEIGHT, rx: 8 } }),
      svg('text', { className: 'tb-tower-text', text, attrs: { x: TOWER_WIDTH / 2, y: y + END_BOX_HEIGHT / 2, 'text-anchor': 'middle', 'dominant-baseline': 'middle' } }),
    ]);
  root.append(endBox(0, `final ${normName(trace.model)} → LM head → ${formatCount(trace.model.vocabSize)} scores`, 'tb-tower-top'));

  for (let layer = 0; layer < nLayer; layer++) {
    const y = stackTop + (nLayer - 1 - layer) * pitch; // layer 0 at the bottom: data flows upwards
    const pressed = layer === chosen;
    const block = svg('g', {
      className: 'tb-tower-block',
      attrs: { 'data-layer': layer, role: 'button', tabindex: 0, 'aria-pressed': pressed, 'aria-label': `Open layer ${layer}` },
    });
    block.append(svg('rect', { className: 'tb-tower-rect', attrs: { x: 20, y, width: TOWER_WIDTH - 40, height: blockHeight, rx: Math.min(8, blockHeight / 3) } }));
    if (layer % labelEvery === 0 || pressed) {
      block.append(
        svg('text', {
          className: 'tb-tower-text',
          text: `Layer ${layer}: attention + feed-forward`,
          attrs: { x: TOWER_WIDTH / 2, y: y + blockHeight / 2, 'text-anchor': 'middle', 'dominant-baseline': 'middle', 'font-size': Math.min(24, Math.max(12, blockHeight * 0.45)) },
        }),
      );
    }
    block.addEventListener('click', () => onChoose(layer));
    block.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') onChoose(layer);
    });
    root.append(block);
  }
  const entering = trace.model.architecture.positions === 'rope' ? 'token embeddings (RoPE turns q, k in each block)' : 'token + position embeddings';
  root.append(endBox(TOWER_HEIGHT - END_BOX_HEIGHT, `${plural(trace.tokens.length, 'token')} enter: ${entering}`, 'tb-tower-bottom'));
  return root;
}

function flowStep(text: string, detail: string, className = ''): HTMLElement {
  return html('li', { className: `tb-flow-step ${className}`.trim() }, [
    html('span', { className: 'tb-flow-name', text }),
    html('span', { className: 'tb-flow-detail', text: detail }),
  ]);
}

function blockInternals(trace: Trace, layer: number): HTMLElement {
  const m = trace.model;
  const panel = html('div', { className: 'tb-block-panel' }, [html('h3', { className: 'tb-panel-title', text: `Inside layer ${layer}` })]);
  const result = blockNumbers(trace, layer);
  const numbers = result.ok ? result.numbers : null;
  const norm = (value: number | undefined) => (value === undefined ? '' : ` · length ${formatValue(value)}`);
  // Top to bottom in reading order: the residual stream enters first.
  const flow = html('ol', { className: 'tb-flow' }, [
    flowStep('x: residual stream in', `${formatCount(m.nEmbd)} numbers per token${norm(numbers?.normIn)}`, 'tb-flow-resid'),
    flowStep('ln_1', m.architecture.norm === 'rmsnorm' ? 'RMSNorm: scale each token by its root mean square' : 'LayerNorm: centre and scale each token'),
    flowStep(
      'multi-head self-attention',
      `${m.nHead} heads × ${m.headDim}` + (numbers ? ` · mean entropy ${formatValue(numbers.meanEntropyBits)} of at most ${formatValue(numbers.maxEntropyBits)} bits` : ''),
      'tb-flow-attn',
    ),
    flowStep('+ add to x (residual)', `x = x + attn(ln_1(x))${norm(numbers?.normAfterAttn)}`, 'tb-flow-add'),
    flowStep('ln_2', `${normName(m)} again`),
    flowStep('feed-forward', `${formatCount(m.nEmbd)} → ${formatCount(m.mlpWidth)} → ${formatCount(m.nEmbd)}, ${feedForwardName(m)}`, 'tb-flow-mlp'),
    flowStep('+ add to x (residual)', `x = x + mlp(ln_2(x))${norm(numbers?.normOut)} → next layer`, 'tb-flow-add'),
  ]);
  panel.append(flow);
  if (numbers) {
    const box = html('p', {
      className: 'live-caption tb-block-numbers',
      text: `Lengths (L2 norms) and entropy are for the last token, ${numbers.token + 1} of ${trace.tokens.length}.`,
    });
    box.dataset.normIn = String(numbers.normIn);
    box.dataset.normAfterAttn = String(numbers.normAfterAttn);
    box.dataset.normOut = String(numbers.normOut);
    box.dataset.meanEntropy = String(numbers.meanEntropyBits);
    box.dataset.maxEntropy = String(numbers.maxEntropyBits);
    panel.append(box);
  } else if (!result.ok) {
    panel.append(missingMessage(result.problem, result.missing));
  }
  return panel;
}

function render(root: HTMLElement, context: SlideContext<TowerView>): void {
  const trace = startLiveSlide(root, transformerTower.title, context);
  if (!trace) return;
  if (trace.tokens.length === 0 || trace.model.nLayer < 1) {
    root.append(missingMessage('This Trace has no tokens or its model reports no layers, so there is no tower to draw.', trace.tokens.length === 0 ? ['tokens'] : []));
    return;
  }
  const layer = selectedLayer(trace, context.view);
  root.dataset.layer = String(layer);
  root.dataset.query = String(trace.tokens.length - 1);
  const choose = (value: number) => {
    context.setView({ layer: value });
  };
  root.append(
    html('p', {
      className: 'live-lead',
      text: `This model stacks ${plural(trace.model.nLayer, 'identical block', 'identical blocks')}, one after another. Every token goes through all of them. Click a block to open it.`,
    }),
    html('div', { className: 'tb-tower-layout' }, [
      tower(trace, layer, choose),
      html('div', { className: 'tb-tower-side' }, [
        modelFacts(trace),
        blockInternals(trace, layer),
        html('p', {
          className: 'live-caption tb-other-models',
          text: 'Other models, not this one: large language models stack about 32 to 96 or more such blocks, with thousands of numbers per token.',
        }),
      ]),
    ]),
  );
}

function notes(context: SlideContext<TowerView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.tokens.length === 0 || trace.model.nLayer < 1) return 'This Trace has no tokens or no layers: there is no tower to talk about.';
  const m = trace.model;
  const layer = selectedLayer(trace, context.view);
  const lines = [
    `${m.name}: ${m.nLayer} blocks, ${m.nHead} heads of ${m.headDim} each, ${m.nEmbd} numbers per token, feed-forward ${m.nEmbd} → ${m.mlpWidth} → ${m.nEmbd}, ` +
      `context ${m.contextLength} tokens, vocabulary ${formatCount(m.vocabSize)}` +
      (m.parameterCount === null ? '.' : `, ${formatCount(m.parameterCount)} parameters.`),
    `Point at the bottom (embeddings enter), then up the stack, then the top (final ${normName(m)}, LM head).`,
    `It normalises before each sub-layer: x = x + attn(ln_1(x)), then x = x + mlp(ln_2(x)). ${architectureSummary(m)}`,
  ];
  const result = blockNumbers(trace, layer);
  if (result.ok) {
    const b = result.numbers;
    lines.push(
      `Layer ${layer}, last token: the residual stream's length goes ${formatValue(b.normIn)} → ${formatValue(b.normAfterAttn)} after attention → ${formatValue(b.normOut)} after the feed-forward. ` +
        `Its heads' attention entropy averages ${formatValue(b.meanEntropyBits)} bits (even attention over ${b.token + 1} tokens would be ${formatValue(b.maxEntropyBits)}).`,
    );
  } else {
    lines.push(result.problem);
  }
  lines.push('The 32 to 96+ blocks of large models are other models\' numbers, not this one\'s.');
  return lines.join('\n');
}

const transformerTower = {
  id: 'transformer-tower',
  title: 'The transformer: a tower of blocks',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<TowerView>;

export default transformerTower;
