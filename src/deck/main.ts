// Start-up of this deck: one live section per slide module, and Reveal with the live-slides plugin
// (live-llm-plugin.ts), which runs the model and draws the slides, and Reveal's notes plugin.
import Reveal from 'reveal.js';
import RevealNotes from 'reveal.js/plugin/notes';
import 'reveal.js/reset.css';
import 'reveal.js/reveal.css';
import 'reveal.js/theme/black-contrast.css';
import { deckSlides } from '../../slides/index';
import { startOfflineSupport } from '../offline/register-offline';
import { createLiveLlmPlugin, LIVE_SLIDE_SIZE } from './live-llm-plugin';
import { printOptions } from './print-mode';
import { appendLiveSections } from './sections';

async function start(): Promise<void> {
  document.getElementById('deck-not-started')?.remove(); // index.html's message for a deck whose script never ran
  const revealElement = document.querySelector<HTMLElement>('.reveal')!;
  appendLiveSections(revealElement.querySelector<HTMLElement>('.slides')!, deckSlides);
  // Reveal starts whatever the model does: a model that fails to load must leave the deck navigable.
  const deck = new Reveal(revealElement, {
    hash: true,
    ...LIVE_SLIDE_SIZE,
    margin: 0.04,
    center: false,
    transition: 'fade',
    transitionSpeed: 'fast',
    // The service worker (built decks only) is in place before the model's files are fetched, so they are cached for offline reloads.
    plugins: [RevealNotes, createLiveLlmPlugin({ beforeEngine: startOfflineSupport })],
    ...printOptions(window.location.search), // ?print-pdf: handout options (npm run handout)
  });
  await deck.initialize();
}

void start();
