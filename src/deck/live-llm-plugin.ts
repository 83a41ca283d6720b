// The live slides as a Reveal.js plugin. It owns the model worker, the prompt bar (E), the status
// badge and the Trace, and draws the live slides of whatever deck it is given: every
// <section data-live="<slide id>">, whether written in HTML or in markdown. This deck uses it for
// its own 26 slides (main.ts), and a presenter's deck uses the same plugin (src/plugin/live-llm.ts).
import type { RevealApi, RevealPlugin } from 'reveal.js';
import 'katex/dist/katex.min.css'; // formulas: KaTeX's fonts are bundled by Vite, no CDN
import { deckSlides } from '../../slides/index';
import { chooseBackend } from '../engine/choose-backend';
import { EngineClient, type EngineState } from '../engine/client';
import { defaultAssetsRoot, modelRootPath, ortRuntimeUrls } from './asset-urls';
import { DeckChannel, deckChannelName, findPresenterSession, isSpeakerPreview, startPresenterSession } from './deck-channel';
import './deck.css';
import { startPreview, WAITING_FOR_PRESENTER } from './follow-presenter';
import { isPrintPdf, keepPrintPagesLive, printSettingsOf } from './print-mode';
import { createPromptBar, PROMPT_BAR_KEY } from './prompt-bar';
import { connectPromptInputs } from './prompt-inputs';
import { slideRenderer } from './render-slides';
import { bindLiveSections } from './sections';
import { shareWithPreviews } from './share-with-previews';
import { trackOpenPreviews } from './open-previews';
import { slideContext } from './slide-context';
import { presenterEngineLine, refreshSpeakerNotes } from './speaker-notes';
import { createStatusBadge } from './status-badge';
import { markLatest } from './timing-marks';
import { createViewStore } from './view-store';
import { connectKnockOut } from './knock-out-view';
import { mirrorViewsToUrl, restoreViewsFromUrl } from './views-in-url';
import { connectConversation, runOptionsFromUrl } from './conversation';
import { connectModelMenu, fetchModelList } from './model-menu';
import { DEFAULT_MODEL_NAME, debouncedPromptWriter, readModelName, readPrompt, writeSearchParam } from './url-state';

export const LIVE_LLM_PLUGIN_ID = 'live-llm';

/** Set in the plugin's options or in Reveal's config under `liveLlm`; the URL's ?prompt= and ?model= win. */
export interface LiveLlmOptions {
  /** The model folder's name under models/ (default sotu-gpt, the deck's own model). */
  model?: string;
  /** The prompt to start with (default: none, the slides invite the presenter to type one). */
  prompt?: string;
  /** The folder (same origin) that holds models/ and ort/ (default: the deck's base). */
  assetsRoot?: string;
  /** Awaited before the model worker starts (the deck's offline support registers its service worker). */
  beforeEngine?: () => Promise<unknown>;
}

/** The design size of the live slides; other sizes work but crowd or shrink them. */
export const LIVE_SLIDE_SIZE = { width: 1280, height: 720 } as const;

/** The plugin; `options` win over Reveal's config (`liveLlm`), which wins over `defaults`. */
export function createLiveLlmPlugin(options: LiveLlmOptions = {}, defaults: LiveLlmOptions = {}): RevealPlugin {
  return {
    id: LIVE_LLM_PLUGIN_ID,
    init: (deck) => startLiveSlides(deck, { ...defaults, ...(deck.getConfig() as { liveLlm?: LiveLlmOptions }).liveLlm, ...options }),
  };
}

function startLiveSlides(deck: RevealApi, options: LiveLlmOptions): void {
  const search = window.location.search;
  const modelName = readModelName(search, options.model ?? DEFAULT_MODEL_NAME);
  const slidesElement = deck.getSlidesElement()!;
  // One view per slide (layer, head, token, sliders), owned here: a change redraws that view's slides and their notes.
  const views = createViewStore(deckSlides);
  // The slide on screen is drawn first, the others when reached or idle; print mode draws every slide before printing.
  const onScreenFirst = isPrintPdf(search)
    ? null
    : { isOnScreen: (section: HTMLElement) => deck.getCurrentSlide() === section, layOutNow: () => void deck.getCurrentSlide()?.getBoundingClientRect() };
  const slides = slideRenderer(bindLiveSections(slidesElement, deckSlides), views, onScreenFirst);
  views.subscribe((viewIds) => slides.renderViews(viewIds));
  deck.on('slidechanged', () => slides.reached(deck.getCurrentSlide()));
  // Markdown turns into sections in its own plugin's init, which may come after this one.
  deck.on('ready', () => {
    slides.add(bindLiveSections(slidesElement, deckSlides));
    slides.reached(deck.getCurrentSlide());
  });
  warnAboutSize(deck);
  if (isPrintPdf(search)) keepPrintPagesLive(printSettingsOf(deck.getConfig() as { pdfSeparateFragments?: boolean; showNotes?: boolean | string }));

  const promptBar = createPromptBar();
  document.body.append(promptBar.element);
  deck.addKeyBinding(PROMPT_BAR_KEY, () => promptBar.open());
  const channelFor = (session: string | null) => new DeckChannel(deckChannelName(window.location.pathname, modelName, session));

  // A speaker-view preview runs no model: it draws the presenter window's Trace (deck-channel.ts).
  if (isSpeakerPreview(search)) {
    slides.render({ trace: null, waitingMessage: WAITING_FOR_PRESENTER });
    startPreview(() => findPresenterSession(window), channelFor, (context) => slides.render(context), views);
    return;
  }
  // This window's own channel: a second window of the same deck has its own, and its own previews.
  const channel = channelFor(startPresenterSession());
  views.subscribe(() => refreshSpeakerNotes(deck)); // the speaker view's notes quote the view on screen
  // ?view= (a link's layer, head, token, sliders) before the first drawing; then the URL follows the views.
  const startPrompt = readPrompt(search, options.prompt);
  restoreViewsFromUrl(views, search, startPrompt);
  let currentPrompt = startPrompt;
  const promptChangedForUrl = mirrorViewsToUrl(views, () => currentPrompt);

  const badge = createStatusBadge();
  document.body.append(badge.element);
  const start = async () => {
    await options.beforeEngine?.().catch((error: unknown) => console.warn('live-llm: before the engine started:', error));
    // A function, not a worker: the client replaces a worker that dies or hangs (engine supervision).
    const engine = new EngineClient(() => new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module' }));
    // On the logit lens's slide the lens comes with the Trace, and on the slide before it while a speaker view (whose
    // preview shows the next slide) is open; elsewhere after the answer (a shorter pass and answer).
    const previews = trackOpenPreviews(channel);
    const lensOnScreen = () => {
      const current = deck.getCurrentSlide();
      const next = current?.nextElementSibling instanceof HTMLElement ? current.nextElementSibling : undefined;
      engine.setLensWithTrace(showsLogitLens(current) || (previews.open && showsLogitLens(next)));
    };
    lensOnScreen();
    deck.on('slidechanged', lensOnScreen);
    previews.onChange(lensOnScreen);
    const writePromptToUrl = debouncedPromptWriter();
    const runPrompt = (prompt: string, { immediate }: { immediate: boolean }) => {
      if (immediate) markLatest('deck:prompt-submitted', { prompt }); // npm run bench times from here
      engine.setPrompt(prompt, { immediate });
      // Enter too writes ?prompt= after the typing pause (400 ms), not at once: history.replaceState while the model
      // runs competes with it for the CPU (sotu-gpt, 32 tokens: the Trace reached the page 7 ms later, 25 -> 32 ms).
      writePromptToUrl(prompt, { immediate: false });
    };
    // A clicker's PageDown / PageUp in a prompt field moves the slides too.
    const promptInputs = connectPromptInputs(runPrompt, (direction) => (direction === 'next' ? deck.next() : deck.prev()));
    let backendReason: string | null = null; // chooseBackend's reason: the speaker view and the badge's hover say it
    // Prompts typed in the speaker view run here too; its status line says the backend, why, and what befell the engine.
    shareWithPreviews(channel, engine, runPrompt, views, () => presenterEngineLine(engine.state, backendReason), previews);
    let shown: EngineState | null = null;
    engine.subscribe((state) => {
      if (state.prompt !== currentPrompt) {
        currentPrompt = state.prompt;
        promptChangedForUrl();
      }
      slides.holdIdleDrawing(state.running); // the slides off screen wait for the coming Trace (render-slides.ts)
      if (slides.render(slideContext(state))) refreshSpeakerNotes(deck);
      // A streamed answer's step (or Enter on a prompt already typed) changes neither the badge nor a prompt field:
      // redrawing the badge and querying the whole document for the fields took 1-8 ms per step on a loaded machine,
      // between a new Trace and its frame, and between Enter and the run being sent.
      if (shown === null || !sameButTheAnswer(shown, state)) {
        badge.update(state);
        promptInputs.show(state.prompt);
      } else badge.updateAnswer(state);
      shown = state;
    });
    slides.render(slideContext(engine.state));
    badge.update(engine.state);

    const assetsRoot = options.assetsRoot ?? defaultAssetsRoot();
    // The conversation's settings (?system=, ?max-new-tokens=) before the first run; the slides' controls change them.
    engine.setRunOptions(runOptionsFromUrl(search));
    connectKnockOut(views, engine); // the deck's knock-out (?ablate=, set from the who-voted, multi-head and tower slides) runs the model again
    connectConversation(document, engine, (system) => writeSearchParam('system', system));
    engine.setPrompt(startPrompt, { immediate: true });
    // models.json fills the title's model menu and says whether the folder has a chat template (chat_template.jinja is read only then).
    const [choice, models] = await Promise.all([chooseBackend(search), fetchModelList(new URL('models/models.json', assetsRoot).href)]);
    connectModelMenu(document, models, modelName);
    backendReason = choice.reason ?? null;
    badge.explain(backendReason);
    const listedChatTemplate = models?.models.find((entry) => entry.name === modelName)?.chatTemplate ?? false;
    const listedModels = models ? models.models.map((entry) => entry.name) : null;
    engine.load({ modelName, modelRoot: modelRootPath(assetsRoot), ortRuntime: ortRuntimeUrls(assetsRoot), choice, listedChatTemplate, listedModels });
  };
  // The slides exist, with a waiting message, before Reveal lays them out; the model never holds Reveal up.
  slides.render({ trace: null, waitingMessage: `Loading ${modelName}…` });
  start().catch((error: unknown) => {
    console.error('live-llm: the engine could not start', error);
    slides.render({ trace: null, waitingMessage: `The model could not start: ${(error as Error).message}` });
  });
}

/** Whether `next` differs from `previous` in its streamed answer at most (the client's states are immutable: a part that did not change is the same object). */
function sameButTheAnswer(previous: EngineState, next: EngineState): boolean {
  return (Object.keys(next) as (keyof EngineState)[]).every((key) => key === 'generation' || previous[key] === next[key]);
}

function warnAboutSize(deck: RevealApi): void {
  const { width, height } = deck.getConfig();
  if (width !== LIVE_SLIDE_SIZE.width || height !== LIVE_SLIDE_SIZE.height) {
    console.warn(`live-llm: the live slides are laid out for width ${LIVE_SLIDE_SIZE.width} and height ${LIVE_SLIDE_SIZE.height} in Reveal's config (this deck: ${width} x ${height})`);
  }
}

/** Whether a section is a live slide that shows the logit lens. */
function showsLogitLens(section: HTMLElement | undefined): boolean {
  const id = section?.dataset.live;
  return deckSlides.some((slide) => slide.id === id && slide.usesGenerationLens === true);
}
