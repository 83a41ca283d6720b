// Keeps Reveal's speaker view in step with the live notes. The notes plugin sends the current
// slide's <aside class="notes"> only on navigation events, so a new Trace on the same slide would
// leave the speaker with old numbers: we re-send by dispatching one of the events it listens to. Also the speaker
// view's line about the engine (presenterEngineLine).
import type { RevealApi } from 'reveal.js';

/** 'resumed' is one of the notes plugin's triggers that nothing else in this deck listens to. */
export function refreshSpeakerNotes(deck: RevealApi): void {
  if (deck.isReady()) deck.dispatchEvent({ type: 'resumed' });
}

/**
 * The speaker view's line about the engine (under its prompt field, for the presenter only): what last
 * happened to the engine (a worker restarted or stopped, a lost GPU and the move to WASM), then why the
 * backend was chosen at the start; just the latter while nothing happened.
 */
export function presenterEngineLine(state: { engineEvent: string | null }, backendReason: string | null): string | null {
  if (state.engineEvent === null) return backendReason;
  return backendReason ? `${state.engineEvent} · at the start: ${backendReason}` : state.engineEvent;
}
