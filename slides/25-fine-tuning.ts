// Slide: from a pre-trained text predictor to an assistant: supervised fine-tuning, a reward model,
// RLHF with PPO, and DPO as the shortcut. A diagram only: nothing here is computed, because this
// project's model was only pre-trained and never fine-tuned; the slide says so.
//
// Test hooks: .fine-tuning-body data-live-computation="none", data-model-name (when a Trace is there);
//             each stage group data-stage = pretrained | sft | reward-model | ppo | dpo | assistant.
// No view state. Renders the same diagram with or without a Trace (the model name is all it reads).
import { html, svg } from '../src/viz/dom';
import { startSlide } from '../src/viz/slide-frame';
import { arrow, stageBox } from '../src/viz/stage-diagram';
import type { SlideContext, SlideModule } from './slide';
import './25-fine-tuning.css';

const WIDTH = 1200;
const HEIGHT = 360;
const TOP = 10;
const BOX_HEIGHT = 160;
const END_WIDTH = 170;
const STAGE_WIDTH = 240;
const GAP = (WIDTH - 2 * END_WIDTH - 3 * STAGE_WIDTH) / 4;

function modelName(context: SlideContext): string | null {
  return context.trace?.model.name ?? null;
}

function diagram(name: string | null): SVGSVGElement {
  const root = svg('svg', { className: 'fine-tuning-diagram', attrs: { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': 'Fine-tuning stages: SFT, reward model, PPO, and DPO' } });
  const xs: number[] = [0];
  xs.push(END_WIDTH + GAP, END_WIDTH + GAP + STAGE_WIDTH + GAP, END_WIDTH + GAP + 2 * (STAGE_WIDTH + GAP), WIDTH - END_WIDTH);
  const mid = TOP + BOX_HEIGHT / 2;
  const stage = (index: number, fragment: number | null, box: Omit<Parameters<typeof stageBox>[0], 'x' | 'y' | 'height' | 'width'>) => {
    const g = stageBox({ x: xs[index], y: TOP, width: index === 0 || index === 4 ? END_WIDTH : STAGE_WIDTH, height: BOX_HEIGHT, ...box });
    if (fragment !== null) {
      g.classList.add('fragment');
      g.setAttribute('data-fragment-index', String(fragment));
    }
    return g;
  };
  root.append(
    stage(0, null, { title: 'Pre-trained', lines: [name ?? 'this model', 'stops here', 'predicts text'], className: 'stage-end stage-here', attrs: { 'data-stage': 'pretrained' } }),
    stage(1, 1, { title: '1 · SFT', lines: ['supervised fine-tuning', 'on demonstrations:', 'prompt → ideal answer'], attrs: { 'data-stage': 'sft' } }),
    stage(2, 2, { title: '2 · Reward model', lines: ['trained on human', 'comparisons:', 'answer A ≻ answer B'], attrs: { 'data-stage': 'reward-model' } }),
    stage(3, 3, { title: '3 · RLHF (PPO)', lines: ['maximise reward', '− β·KL to SFT model', '(stay close to it)'], attrs: { 'data-stage': 'ppo' } }),
    stage(4, 3, { title: 'Assistant', lines: ['follows', 'instructions'], className: 'stage-end', attrs: { 'data-stage': 'assistant' } }),
  );
  const arrows = [
    arrow(xs[0] + END_WIDTH + 4, mid, xs[1] - 4, mid),
    arrow(xs[1] + STAGE_WIDTH + 4, mid, xs[2] - 4, mid),
    arrow(xs[2] + STAGE_WIDTH + 4, mid, xs[3] - 4, mid),
    arrow(xs[3] + STAGE_WIDTH + 4, mid, xs[4] - 4, mid),
  ];
  // Each arrow appears with the stage it leads into.
  arrows.forEach((a, index) => {
    a.classList.add('fragment');
    a.setAttribute('data-fragment-index', String(Math.min(3, index + 1)));
  });
  root.append(...arrows);

  // DPO: from the SFT model straight to the assistant, under the reward model and PPO.
  const dpoTop = TOP + BOX_HEIGHT + 60;
  const dpoX = xs[2];
  const dpoWidth = xs[3] + STAGE_WIDTH - dpoX;
  const dpoGroup = svg('g', { className: 'fragment stage-alternative', attrs: { 'data-fragment-index': '4' } }, [
    stageBox({ x: dpoX, y: dpoTop, width: dpoWidth, height: 120, title: 'Or: DPO', lines: ['direct preference optimisation: learns from', 'the same comparisons, no separate reward model'], attrs: { 'data-stage': 'dpo' } }),
    arrow(xs[1] + STAGE_WIDTH / 2, TOP + BOX_HEIGHT + 4, dpoX - 4, dpoTop + 60),
    arrow(dpoX + dpoWidth + 4, dpoTop + 60, xs[4] + END_WIDTH / 2, TOP + BOX_HEIGHT + 4),
  ]);
  root.append(dpoGroup);
  return root;
}

function render(root: HTMLElement, context: SlideContext): void {
  const name = modelName(context);
  startSlide(root, fineTuning.title);
  const body = html('div', { className: 'fine-tuning-body', attrs: { 'data-live-computation': 'none' } });
  if (name !== null) body.dataset.modelName = name;
  body.append(
    html('p', {
      className: 'live-notice fine-tuning-notice',
      text: `No live computation on this slide: ${name ?? 'this project’s model'} was only pre-trained to predict the next token, never fine-tuned. This is how chat assistants are made from such a model.`,
    }),
    diagram(name),
    html('p', { className: 'live-caption', text: 'Human feedback enters twice: people write the demonstrations (1) and judge pairs of answers (2, or DPO).' }),
  );
  root.append(body);
}

function notes(context: SlideContext): string {
  const name = modelName(context) ?? 'this project’s model';
  return [
    `Nothing on this slide is computed: ${name} was only pre-trained, never fine-tuned.`,
    '1. SFT: fine-tune on demonstrations, prompts paired with answers people wrote.',
    '2. Reward model: trained on human comparisons of two answers to predict which one people prefer.',
    '3. RLHF with PPO: the model generates answers, the reward model scores them, and a KL penalty keeps it close to the SFT model.',
    'DPO: skips the separate reward model and learns directly from the same comparisons.',
  ].join('\n');
}

const fineTuning = {
  id: 'fine-tuning',
  title: 'Fine-tuning with human feedback',
  render,
  notes,
} satisfies SlideModule;

export default fineTuning;
