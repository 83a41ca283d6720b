// Start-up: builds the slides, starts Reveal and the engine, and connects the prompt sources
// (first slide, prompt bar, URL) to the engine and the engine's state to the slides and badge.
import Reveal from 'reveal.js';
import RevealNotes from 'reveal.js/plugin/notes';
import 'reveal.js/reset.css';
import 'reveal.js/reveal.css';
import 'reveal.js/theme/black-contrast.css';
import 'katex/dist/katex.min.css'; // formulas: KaTeX's fonts are bundled by Vite, no CDN
import './deck.css';
import { deckSlides } from '../../slides/index';
import { chooseBackend } from '../engine/choose-backend';
import { EngineClient } from '../engine/client';
import { modelRootPath, ortRuntimeUrls } from './asset-urls';
import { createPromptBar, PROMPT_BAR_KEY } from './prompt-bar';
import { connectPromptInputs } from './prompt-inputs';
import { slideRenderer } from './render-slides';
import { buildSections } from './sections';
import { slideContext } from './slide-context';
import { refreshSpeakerNotes } from './speaker-notes';
import { createStatusBadge } from './status-badge';
import { debouncedPromptWriter, readModelName, readPrompt } from './url-state';

// Every stylesheet of the slides' view pieces, present and future, without a list to keep up to date.
import.meta.glob('../viz/*.css', { eager: true });

async function start(): Promise<void> {
  const search = window.location.search;
  const revealElement = document.querySelector<HTMLElement>('.reveal')!;
  const sections = buildSections(revealElement.querySelector<HTMLElement>('.slides')!, deckSlides);
  const render = slideRenderer(sections);
  const badge = createStatusBadge();
  const promptBar = createPromptBar();
  document.body.append(badge.element, promptBar.element);

  const worker = new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module' });
  const engine = new EngineClient(worker);
  render(slideContext(engine.state)); // the slides exist before Reveal lays them out

  // Reveal starts whatever the model does: a model that fails to load must leave the deck navigable.
  const deck = new Reveal(revealElement, {
    hash: true,
    width: 1280,
    height: 720,
    margin: 0.04,
    center: false,
    transition: 'fade',
    transitionSpeed: 'fast',
    plugins: [RevealNotes],
  });
  await deck.initialize();
  deck.addKeyBinding(PROMPT_BAR_KEY, () => promptBar.open());

  const writePromptToUrl = debouncedPromptWriter();
  const promptInputs = connectPromptInputs((prompt, { immediate }) => {
    if (immediate) performance.mark('deck:prompt-submitted', { detail: { prompt } }); // npm run bench times from here
    engine.setPrompt(prompt, { immediate });
    writePromptToUrl(prompt, { immediate });
  });
  engine.subscribe((state) => {
    if (render(slideContext(state))) refreshSpeakerNotes(deck);
    badge.update(state);
    promptInputs.show(state.prompt);
  });

  engine.setPrompt(readPrompt(search), { immediate: true });
  engine.load({
    modelName: readModelName(search),
    modelRoot: modelRootPath(),
    ortRuntime: ortRuntimeUrls(),
    choice: await chooseBackend(search),
  });
}

void start();
