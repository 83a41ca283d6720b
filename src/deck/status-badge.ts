// The corner badge on every slide: which backend runs the model and in which precision, what the engine is doing, and
// the notices the presenter should see (a cut prompt, WASM instead of WebGPU, a model that failed).
// It is for the presenter, not the audience: once the model is loaded it fades out (data-quiet) and shows again
// on hover or keyboard focus, or when there is an error or a warning. Its data-* attributes are what the browser tests read.
import type { EngineState } from '../engine/client';
import { isEmptyPrompt } from '../engine/client';
import { loadErrorText } from './slide-context';

const backendLabels = { webgpu: 'WebGPU', wasm: 'WASM' } as const;

export interface StatusBadge {
  element: HTMLElement;
  update(state: EngineState): void;
  /** Only data-answer, for a streamed answer's step (the rest of the badge does not change then). */
  updateAnswer(state: EngineState): void;
  /** Why this backend (chooseBackend's reason): shown on hover with the load times. */
  explain(reason: string | null): void;
}

/** Whether the shown Trace's answer has finished both its runs (with, then without, the KV cache): the worker is then idle until the next edit. */
function answerState({ trace, generation }: EngineState): 'none' | 'streaming' | 'done' {
  if (!generation || generation.prompt !== trace?.prompt) return 'none';
  return generation.cached.done && generation.uncached?.done ? 'done' : 'streaming';
}

export function createStatusBadge(): StatusBadge {
  const element = document.createElement('div');
  element.id = 'deck-status';
  element.setAttribute('role', 'status');
  element.tabIndex = 0; // keyboard focus shows a quiet badge, as hover does
  let reason: string | null = null;
  let loadTimes = '';
  const setTitle = () => {
    summary.title = [reason, loadTimes].filter(Boolean).join('\n');
    element.dataset.reason = reason ?? '';
  };
  const summary = document.createElement('p');
  summary.className = 'status-summary';
  const notices = document.createElement('div');
  notices.className = 'status-notices';
  element.append(summary, notices);

  const notice = (kind: string, text: string, tone: 'quiet' | 'warning' | 'error'): HTMLElement => {
    const line = document.createElement('p');
    line.className = `status-notice status-${tone}`;
    line.dataset.notice = kind;
    line.textContent = text;
    return line;
  };

  return {
    element,
    updateAnswer(state) {
      element.dataset.answer = answerState(state);
    },
    update(state) {
      const trace = state.trace;
      element.dataset.phase = state.phase;
      element.dataset.backend = state.backend ?? '';
      element.dataset.running = String(state.running);
      element.dataset.tokenCount = trace ? String(trace.tokens.length) : '';
      element.dataset.droppedTokens = trace ? String(trace.droppedTokens) : '';
      element.dataset.answer = answerState(state);
      if (trace) element.setAttribute('data-trace-prompt', trace.prompt);
      else element.removeAttribute('data-trace-prompt');

      // "WebGPU · fp16" once the model says which weights run.
      const precision = state.model?.precision ?? null;
      element.dataset.precision = precision ?? '';
      const parts = [state.backend ? backendLabels[state.backend] : 'choosing backend…', precision, state.modelName];
      if (state.phase === 'loading' || state.phase === 'starting') {
        const fraction = state.progress?.fraction;
        parts.push(fraction === null || fraction === undefined ? 'loading…' : `loading ${Math.floor(fraction * 100)}%`);
      } else if (state.phase === 'failed') {
        parts.push('model not loaded');
      } else if (state.running) {
        parts.push('running…');
      } else if (trace) {
        parts.push(`${trace.tokens.length} token${trace.tokens.length === 1 ? '' : 's'}`, `${trace.timings.forwardMs.toFixed(1)} ms`);
      }
      summary.textContent = parts.filter(Boolean).join(' · ');
      loadTimes = state.loadMs === null ? '' : `model loaded in ${Math.round(state.loadMs)} ms, warm-up run ${Math.round(state.warmUpMs ?? 0)} ms`;
      setTitle();

      const lines: HTMLElement[] = [];
      if (state.phase === 'failed') lines.push(notice('load-error', loadErrorText(state), 'error'));
      if (state.backendNotice) lines.push(notice('backend', state.backendNotice, 'quiet'));
      if (trace && trace.droppedTokens > 0) {
        const context = trace.model.contextLength;
        lines.push(notice('dropped', `The prompt is longer than the model's ${context}-token window: its first ${trace.droppedTokens} token${trace.droppedTokens === 1 ? ' was' : 's were'} cut.`, 'warning'));
      }
      if (state.runError) lines.push(notice('run-error', state.runError, 'warning'));
      if (isEmptyPrompt(state.prompt) && state.phase !== 'failed') lines.push(notice('empty', 'Type a prompt to begin (E opens the prompt bar).', 'quiet'));
      notices.replaceChildren(...lines);
      // Loaded and nothing wrong: nothing for the audience to read (no timings in front of them).
      const needsEyes = state.phase !== 'ready' || lines.some((line) => !line.classList.contains('status-quiet') || line.dataset.notice === 'empty');
      element.dataset.quiet = String(!needsEyes);
    },
    explain(text) {
      reason = text;
      setTitle();
    },
  };
}
