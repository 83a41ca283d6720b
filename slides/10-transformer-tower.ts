// Slide: the transformer tower. This model's real stack of blocks (bottom: the embeddings enter;
// top: the final norm and the LM head), its real sizes, and the inside of one chosen block
// (pre-norm order, GPT-2's and Llama's: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))) with numbers for the
// prompt's last token.
//
// Test hooks:
//   root: data-layer (the opened block), data-query (the token the numbers are for: the last one)
//   .tb-model-facts: data-n-layer, data-n-head, data-n-embd, data-head-dim, data-mlp-width,
//     data-context-length, data-vocab-size, data-parameter-count ("" when unknown)
//   .tb-tower-block: data-layer (one per block); .tb-tower-block[aria-pressed="true"] is the open one;
//     data-knocked-out="true" when one of its parts is switched off
//   .ko-block-row button.ko-toggle[data-part="attnL" | "mlpL"]: switch the open block's attention (every head) or
//     feed-forward off for the whole deck (src/viz/knock-out-controls.ts)
//   .tb-block-numbers: data-norm-in, data-norm-after-attn, data-norm-out (L2 norms of the residual
//     stream at the last token: entering, after the attention add, leaving), data-mean-entropy (bits,
//     mean over the block's heads of the last token's attention entropy), data-max-entropy (log2 of
//     the visible keys: the entropy of perfectly even attention)
//   .tb-climb-level: data-level (0 = the embeddings entering, 1..nLayer = after that layer, nLayer + 1 =
//     after the final norm), data-norm (L2 norm of the last token's vector there), data-replay-order
//
// Motion (issue 12 item 8): the tower is a replay fragment (src/viz/replay.ts): → shows the last token's
// vector climbing it, its strip and length appearing level by level while the block it passes through is lit.
// Before the → and after the climb, reduced motion and print: every level at once (the final state).
import { finalNormOutput, layerOutput } from '../src/trace/output-names';
import { entropyBits } from '../src/maths/attention-maths';
import { euclideanNorm } from '../src/maths/layer-norm-stats';
import { architectureSummary, feedForwardName, normName } from '../src/viz/architecture-names';
import { clampIndex } from '../src/viz/block-controls';
import { formatValue } from '../src/viz/block-number-format';
import { lookupTensors, residualInputName } from '../src/viz/block-tensors';
import { html, svg } from '../src/viz/dom';
import { replayItem, replayScope } from '../src/viz/replay';
import { divergingColourScale } from '../src/viz/vector-strip';
import { formatCount, plural } from '../src/viz/format';
import { knockOutBlockRow, knockOutOfText, knockOutSentence, knockOutStatus } from '../src/viz/knock-out-controls';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tensorRow, type Trace } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './10-transformer-tower.css';

export interface TowerView {
  /** The opened block. */
  layer: number;
  /** The deck's knock-out ("2.3,mlp1"; view-store.ts's deck field): the open block's attention and feed-forward buttons set it. */
  ablate: string;
}

const DEFAULT_VIEW: TowerView = { layer: 0, ablate: '' };

const TOWER_WIDTH = 400; // drawn at this size (CSS), so SVG font sizes are the sizes seen
const TOWER_HEIGHT = 480;
const END_BOX_HEIGHT = 70; // the embeddings box below the blocks and the ln_f + LM head box above: a line of text, then the vector
const GAP = 6;
const MIN_LABELLED_HEIGHT = 22; // below this a block is too thin for its label
const STRIP_X = 96; // the climbing vector's strip, inside each block and end box
const STRIP_WIDTH = 224;
const MAX_STRIP_DIMS = 256; // a wider model shows its first 256 numbers (said in the caption)

/** The last token's vector at one level of the tower: entering, after a block, after the final norm. */
export interface ClimbLevel {
  level: number;
  values: ArrayLike<number>;
  norm: number;
}

/** The last token's residual stream entering the tower, after every block, and after the final norm; null when the Trace lacks one of them. */
export function climbLevels(trace: Trace): ClimbLevel[] | null {
  const n = trace.tokens.length;
  const d = trace.model.nEmbd;
  const names = [residualInputName(0), ...Array.from({ length: trace.model.nLayer }, (_, layer) => layerOutput(layer, 'resid.after_mlp')), finalNormOutput];
  const lookup = lookupTensors(trace, names.map((name) => ({ name, shape: [n, d] })), 'the vector climbing the tower');
  if (!lookup.ok || n === 0) return null;
  return names.map((name, level) => {
    const values = tensorRow(lookup.tensors[name], n - 1);
    return { level, values, norm: euclideanNorm(values) };
  });
}

/** One level's vector as a strip of cells (purple −, orange +, on its own scale), with its length written after it. */
function climbStrip(level: ClimbLevel, y: number, height: number, order: number, showNorm: boolean): SVGGElement {
  const dims = Math.min(level.values.length, MAX_STRIP_DIMS);
  let maxAbs = 0;
  for (let i = 0; i < dims; i++) maxAbs = Math.max(maxAbs, Math.abs(level.values[i]));
  const colour = divergingColourScale(maxAbs);
  const group = svg('g', { className: 'tb-climb-level', attrs: { 'data-level': level.level, 'data-norm': level.norm, 'data-replay-order': order } });
  const cell = STRIP_WIDTH / Math.max(1, dims);
  for (let i = 0; i < dims; i++) group.append(svg('rect', { attrs: { x: STRIP_X + i * cell, y, width: cell + 0.2, height, fill: colour(level.values[i]) } }));
  group.append(svg('rect', { className: 'tb-climb-frame', attrs: { x: STRIP_X, y, width: STRIP_WIDTH, height } }));
  if (showNorm) {
    group.append(svg('text', { className: 'tb-climb-norm', text: formatValue(level.norm), attrs: { x: TOWER_WIDTH - 10, y: y + height / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' } }));
  }
  return replayItem(group, order);
}

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

function tower(trace: Trace, chosen: number, onChoose: (layer: number) => void, ablate = ''): SVGSVGElement {
  const knockedOut = knockOutOfText(ablate);
  const nLayer = Math.max(0, trace.model.nLayer);
  const root = svg('svg', {
    className: 'tb-tower',
    attrs: { viewBox: `0 0 ${TOWER_WIDTH} ${TOWER_HEIGHT}`, width: TOWER_WIDTH, height: TOWER_HEIGHT, role: 'group', 'aria-label': 'The stack of blocks' },
  });
  const levels = climbLevels(trace);
  const stackTop = END_BOX_HEIGHT + GAP;
  const stackHeight = TOWER_HEIGHT - 2 * (END_BOX_HEIGHT + GAP);
  const pitch = nLayer > 0 ? stackHeight / nLayer : stackHeight;
  const blockHeight = Math.max(1, pitch - (pitch > 8 ? GAP : 0));
  const labelEvery = pitch >= MIN_LABELLED_HEIGHT ? 1 : Math.ceil(MIN_LABELLED_HEIGHT / pitch);

  // An end box: its words on the first line (or two), the vector there under them.
  const endBox = (y: number, lines: string[], className: string, level: ClimbLevel | undefined, order: number) => {
    const box = svg('g', { className }, [svg('rect', { className: 'tb-tower-end', attrs: { x: 1, y, width: TOWER_WIDTH - 2, height: END_BOX_HEIGHT, rx: 8 } })]);
    const lineHeight = 19;
    lines.forEach((text, i) =>
      box.append(svg('text', { className: 'tb-tower-text', text, attrs: { x: TOWER_WIDTH / 2, y: y + (lines.length > 1 ? 14 : 20) + i * lineHeight, 'text-anchor': 'middle', 'dominant-baseline': 'middle' } })),
    );
    const stripTop = lines.length > 1 ? y + 14 + lines.length * lineHeight - 6 : y + 38;
    if (level) box.append(climbStrip(level, stripTop, Math.min(18, y + END_BOX_HEIGHT - 6 - stripTop), order, true));
    return box;
  };
  root.append(endBox(0, [`final ${normName(trace.model)} → LM head → ${formatCount(trace.model.vocabSize)} scores`], 'tb-tower-top', levels?.[nLayer + 1], nLayer + 1));

  for (let layer = 0; layer < nLayer; layer++) {
    const y = stackTop + (nLayer - 1 - layer) * pitch; // layer 0 at the bottom: data flows upwards
    const pressed = layer === chosen;
    const block = svg('g', {
      className: 'tb-tower-block',
      attrs: { 'data-layer': layer, role: 'button', tabindex: 0, 'aria-pressed': pressed, 'aria-label': `Open layer ${layer}` },
    });
    // A block with a head or its feed-forward switched off (the deck's knock-out) is drawn dashed.
    if (knockedOut && (knockedOut.mlps.includes(layer) || knockedOut.heads.some((h) => h.layer === layer))) block.dataset.knockedOut = 'true';
    // Lit while the climbing vector passes through it (a replay; src/viz/replay.ts).
    block.append(replayItem(svg('rect', { className: 'tb-tower-rect', attrs: { x: 1, y, width: TOWER_WIDTH - 2, height: blockHeight, rx: Math.min(8, blockHeight / 3) } }), layer + 1, 'pass'));
    const labelled = layer % labelEvery === 0 || pressed;
    if (labelled) {
      block.append(
        svg('text', {
          className: 'tb-tower-text tb-tower-label',
          text: `Layer ${layer}`,
          attrs: { x: 12, y: y + blockHeight / 2, 'dominant-baseline': 'middle', 'font-size': Math.min(22, Math.max(16, blockHeight * 0.45)) },
        }),
      );
    }
    const level = levels?.[layer + 1];
    const stripHeight = Math.min(18, blockHeight * 0.6);
    if (level) block.append(climbStrip(level, y + (blockHeight - stripHeight) / 2, stripHeight, layer + 1, labelled));
    block.addEventListener('click', () => onChoose(layer));
    block.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') onChoose(layer);
    });
    root.append(block);
  }
  // RoPE's words take a second line (the trailing space keeps the two lines one sentence in the text).
  const entering =
    trace.model.architecture.positions === 'rope'
      ? [`${plural(trace.tokens.length, 'token')} enter: token embeddings `, '(RoPE turns q, k in each block)']
      : [`${plural(trace.tokens.length, 'token')} enter: token + position embeddings`];
  root.append(endBox(TOWER_HEIGHT - END_BOX_HEIGHT, entering, 'tb-tower-bottom', levels?.[0], 0));
  // → replays the climb: a Reveal fragment that Reveal never hides, so the tower shows its final state until then.
  return replayScope(root, 0);
}

/** What the strips show, in words under the tower. */
function climbCaption(trace: Trace): HTMLElement {
  const d = trace.model.nEmbd;
  const shown = Math.min(d, MAX_STRIP_DIMS);
  return html('p', {
    className: 'live-caption tb-climb-caption',
    text: `Strips: the last token’s ${shown === d ? `${formatCount(d)} numbers` : `first ${shown} of ${formatCount(d)} numbers`} (purple −, orange +) and its length ‖x‖, level by level.`,
  });
}

function flowStep(text: string, detail: string, className = ''): HTMLElement {
  return html('li', { className: `tb-flow-step ${className}`.trim() }, [
    html('span', { className: 'tb-flow-name', text }),
    html('span', { className: 'tb-flow-detail', text: detail }),
  ]);
}

function blockInternals(trace: Trace, layer: number, knockOut?: { ablate: string; setAblate: (ablate: string) => void }): HTMLElement {
  const m = trace.model;
  const panel = html('div', { className: 'tb-block-panel' }, [html('h3', { className: 'tb-panel-title', text: `Inside layer ${layer}` })]);
  const result = blockNumbers(trace, layer);
  const numbers = result.ok ? result.numbers : null;
  const norm = (value: number | undefined) => (value === undefined ? '' : ` · ‖x‖ ${formatValue(value)}`);
  // Top to bottom in reading order: the residual stream enters first.
  const flow = html('ol', { className: 'tb-flow' }, [
    flowStep('x: residual stream in', `${formatCount(m.nEmbd)} numbers${norm(numbers?.normIn)}`, 'tb-flow-resid'),
    flowStep('ln_1', m.architecture.norm === 'rmsnorm' ? 'RMSNorm: scale by the RMS' : 'LayerNorm: centre, scale'),
    flowStep(
      'multi-head self-attention',
      `${m.nHead} heads × ${m.headDim}` + (numbers ? ` · entropy ${formatValue(numbers.meanEntropyBits)} of ≤ ${formatValue(numbers.maxEntropyBits)} bits` : ''),
      'tb-flow-attn',
    ),
    flowStep('+ add to x (residual)', `x = x + attn(ln_1(x))${norm(numbers?.normAfterAttn)}`, 'tb-flow-add'),
    flowStep('ln_2', `${normName(m)} again`),
    flowStep('feed-forward', `${formatCount(m.nEmbd)} → ${formatCount(m.mlpWidth)} → ${formatCount(m.nEmbd)}, ${feedForwardName(m)}`, 'tb-flow-mlp'),
    flowStep('+ add to x (residual)', `x = x + mlp(ln_2(x))${norm(numbers?.normOut)}`, 'tb-flow-add'),
  ]);
  panel.append(flow);
  // Switch this block's attention (all its heads) or feed-forward off, beside the panel's title: the deck runs the model again without it.
  if (knockOut) panel.prepend(knockOutBlockRow(knockOut.ablate, layer, m.nHead, knockOut.setAblate, { attention: 'attention', mlp: 'feed-forward' }));
  if (numbers) {
    const box = html('p', {
      className: 'live-caption tb-block-numbers',
      text: `‖x‖: length (L2 norm); entropy: mean over heads. The last token, ${numbers.token + 1} of ${trace.tokens.length}.`,
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
  const setAblate = (ablate: string) => context.setView({ ablate });
  root.append(
    // Under a knock-out, what is switched off (and its effect) takes the lead's place.
    knockOutStatus(trace, context.view.ablate, setAblate) ??
      html('p', {
        className: 'live-lead',
        text: `This model stacks ${plural(trace.model.nLayer, 'identical block', 'identical blocks')}; every token goes through all of them. Click one to open it.`,
      }),
    html('div', { className: 'tb-tower-layout' }, [
      html('div', { className: 'tb-tower-column' }, [tower(trace, layer, choose, context.view.ablate), ...(climbLevels(trace) ? [climbCaption(trace)] : [])]),
      html('div', { className: 'tb-tower-side' }, [
        modelFacts(trace),
        blockInternals(trace, layer, { ablate: context.view.ablate, setAblate }),
        html('p', {
          className: 'live-caption tb-other-models',
          text: 'Other models, not this one: 32 to 96+ blocks, thousands of numbers wide.',
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
  const levels = climbLevels(trace);
  if (levels) {
    lines.push(`Press → to replay the last token's vector climbing the tower; its length goes ${levels.map((level) => formatValue(level.norm)).join(' → ')} (entering, after each block, after the final ${normName(m)}).`);
  }
  lines.push('The 32 to 96+ blocks of large models are other models\' numbers, not this one\'s.');
  const knockedOut = knockOutSentence(trace); // the deck's knock-out: what is off and what it did
  if (knockedOut) lines.push(`${knockedOut} "Switch all back on" restores the whole model.`);
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
