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
import { DeckChannel, deckChannelName, isSpeakerPreview } from './deck-channel';
import { startPreview, WAITING_FOR_PRESENTER } from './follow-presenter';
import { createPromptBar, PROMPT_BAR_KEY } from './prompt-bar';
import { connectPromptInputs } from './prompt-inputs';
import { slideRenderer } from './render-slides';
import { buildSections } from './sections';
import { slideContext } from './slide-context';
import { shareWithPreviews } from './share-with-previews';
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

  // A speaker-view preview runs no model: it draws the presenter window's Trace (deck-channel.ts).
  const preview = isSpeakerPreview(search);
  const engine = preview ? null : new EngineClient(new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module' }));
  render(engine ? slideContext(engine.state) : { trace: null, waitingMessage: WAITING_FOR_PRESENTER }); // the slides exist before Reveal lays them out

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
    ...(await import('./print-mode')).printOptions(search), // ?print-pdf: handout options (npm run handout)
  });
  await deck.initialize();
  deck.addKeyBinding(PROMPT_BAR_KEY, () => promptBar.open());
  const channel = new DeckChannel(deckChannelName(window.location.pathname, readModelName(search)));
  if (!engine) {
    badge.element.remove(); // the presenter's window has the badge
    startPreview(channel, render);
    return;
  }

  const writePromptToUrl = debouncedPromptWriter();
  const runPrompt = (prompt: string, { immediate }: { immediate: boolean }) => {
    if (immediate) performance.mark('deck:prompt-submitted', { detail: { prompt } }); // npm run bench times from here
    engine.setPrompt(prompt, { immediate });
    writePromptToUrl(prompt, { immediate });
  };
  const promptInputs = connectPromptInputs(runPrompt);
  shareWithPreviews(channel, engine, runPrompt); // prompts typed in the speaker view run here too
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
