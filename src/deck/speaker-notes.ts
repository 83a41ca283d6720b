// Keeps Reveal's speaker view in step with the live notes. The notes plugin sends the current
// slide's <aside class="notes"> only on navigation events, so a new Trace on the same slide would
// leave the speaker with old numbers: we re-send by dispatching one of the events it listens to.
import type { RevealApi } from 'reveal.js';

/** 'resumed' is one of the notes plugin's triggers that nothing else in this deck listens to. */
export function refreshSpeakerNotes(deck: RevealApi): void {
  if (deck.isReady()) deck.dispatchEvent({ type: 'resumed' });
}
