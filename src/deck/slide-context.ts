// What the slides get from the engine's state: the Trace, or in words why there is none.
import type { DeckContext } from '../../slides/slide';
import { isEmptyPrompt, type EngineState } from '../engine/client';

export const INVITATION = 'Type a prompt on the first slide (or press E on any slide) to see what the model computes.';

export function loadErrorText(state: EngineState): string {
  const error = state.loadError;
  if (!error) return '';
  const model = state.modelName ? `The model ${state.modelName} could not load` : 'The model could not load';
  const listed = state.listedModels ?? null;
  if (listed && listed.length > 0 && state.modelName && !listed.includes(state.modelName) && error.file && /not found|404/i.test(error.message)) {
    // A mistyped ?model= more often than a broken folder: say what the deck has.
    const names = listed.length > 5 ? `${listed.slice(0, 5).join(', ')}, …` : listed.join(', '); // the menu has them all
    return `This deck has no model ${state.modelName} (its models.json lists ${names}): check ?model= in the link, or choose one in the first slide's menu.`;
  }
  if (!error.file) return `${model}: ${error.message}`;
  if (/not found|404/i.test(error.message)) return `${model}: its file ${error.file} is missing.`;
  return `${model}: its file ${error.file} could not be read (${error.message}).`;
}

function loadingText(state: EngineState): string {
  const name = state.modelName || 'the model';
  if (!state.progress) return `Loading ${name}…`;
  const percent = state.progress.fraction === null ? '' : ` ${Math.floor(state.progress.fraction * 100)}%`;
  return `Loading ${name}…${percent} (${state.progress.file})`;
}

export function slideContext(state: EngineState): DeckContext {
  if (state.phase === 'failed') return { trace: null, waitingMessage: loadErrorText(state) };
  if (isEmptyPrompt(state.prompt)) return { trace: null, waitingMessage: INVITATION };
  if (state.trace) return { trace: state.trace, waitingMessage: '', generation: state.generation };
  if (state.runError) return { trace: null, waitingMessage: state.runError };
  if (state.phase !== 'ready') return { trace: null, waitingMessage: loadingText(state) };
  return { trace: null, waitingMessage: 'Running the model…' };
}
