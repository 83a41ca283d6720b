// Slide: the complete response. The conversation as a chat, as the talk began: the system message (if
// any), earlier turns, the user's message and the assistant's answer, streaming in as it is generated;
// why it stopped (the end-of-turn token with its text and id, the token limit, or the context window);
// how many tokens and how fast. Controls: reply (a follow-up turn that reuses the KV cache), start
// over, and sample the answer with the sampling slide's settings and a shown seed.
//
// Test hooks (full precision):
//   .complete-response-chat  data-template ('model' | 'none'), data-turns (user messages shown),
//                            data-answer-tokens (without the stop token), data-generated, data-stop
//                            (generating | eos | limit | context | stopped), data-stop-id, data-tokens-per-second,
//                            data-hidden-tokens (answer tokens left out above the shown part), data-seed, data-sampled
//   .chat-bubble             data-role (system | user | assistant), data-turn (0-based message index, or "answer")
//   .complete-response-stop  the stop sentence
//   textarea.chat-reply-field, button[data-action="reply" | "restart" | "sample" | "new-seed" | "greedy"]
// View: the sampling slide's settings (one view the deck keeps for both, viewId 'sampling').
import { conversationField, sendConversationRequest } from '../src/viz/conversation-requests';
import type { ChatMessage, Generation, Trace } from '../src/trace';
import { answerOf, followUpHistory, headOf, lastSteps, stepsText, type Answer } from '../src/viz/chat-turns';
import { html } from '../src/viz/dom';
import { formatCount, plural, quoteToken } from '../src/viz/format';
import { knockOutAnswerNote, knockOutAnswerSentence } from '../src/viz/knock-out-controls';
import { currentGeneration, generatingMark } from '../src/viz/generation-parts';
import { waitingMessage } from '../src/viz/slide-frame';
import { lastUserMessage } from '../src/viz/template-tokens';
import { tokenDisplayText } from '../src/viz/token-chip';
import { clampSamplingView, DEFAULT_SAMPLING_VIEW, SAMPLING_VIEW_ID, type SamplingView } from '../src/viz/sampling-settings';
import type { SlideContext, SlideModule } from './slide';
import './27-complete-response.css';

/** Characters of the answer that fit on the slide at body size (28 px); more shows the last part. */
const ANSWER_CHARACTERS = 360;
/** The user's message: its last characters (what the answer follows), the rest counted. */
const USER_CHARACTERS = 200;
/** Earlier turns are context: the last few, their first characters only. */
const EARLIER_TURN_CHARACTERS = 90;
const EARLIER_MESSAGES_SHOWN = 2;

/** A short conversation a size up (the slide's space used); longer ones at body size, their length capped above. */
function size(characters: number): 'large' | 'medium' {
  return characters <= 200 ? 'large' : 'medium';
}

/** The last `maxCharacters` of a long message, as headOf gives the first. */
function tailOf(text: string, maxCharacters: number): { shown: string; hiddenCharacters: number } {
  const characters = Array.from(text);
  if (characters.length <= maxCharacters) return { shown: text, hiddenCharacters: 0 };
  return { shown: characters.slice(-maxCharacters).join(''), hiddenCharacters: characters.length - maxCharacters };
}

function bubble(role: ChatMessage['role'], label: string, text: string, turn: string, hiddenCharacters = 0): HTMLElement {
  const box = html('div', { className: `chat-bubble chat-bubble-${role}`, attrs: { 'data-role': role, 'data-turn': turn } }, [html('span', { className: 'chat-bubble-label', text: label })]);
  const content = html('p', { className: 'chat-bubble-text', text });
  if (hiddenCharacters > 0) content.append(html('span', { className: 'chat-more', text: ` … (${plural(hiddenCharacters, 'more character')})` }));
  box.append(content);
  return box;
}

function stopSentence(trace: Trace, generation: Generation, answer: Answer): string {
  switch (answer.stop) {
    case 'generating':
      return `Generating… ${plural(answer.generated, 'token')} so far, at most ${formatCount(generation.maxNewTokens)}.`;
    case 'eos': {
      const token = answer.stopToken;
      const name = token ? `${tokenDisplayText({ text: token.text })} (id ${token.id})` : 'its end-of-turn token';
      return `Stopped: the model chose ${name}, one of its end-of-turn ids (generation_config.json’s eos_token_id), after ${plural(answer.steps.length, 'answer token')}.`;
    }
    case 'limit':
      return `Stopped at the limit of ${plural(generation.maxNewTokens, 'new token')} (?max-new-tokens=), before an ${trace.chat.template === 'model' ? 'end-of-turn' : 'end-of-text'} token.`;
    case 'context':
      return `Stopped: the ${formatCount(trace.model.contextLength)}-token context window is full.`;
    default:
      return `Stopped after ${plural(answer.generated, 'token')}.`;
  }
}

function speedSentence(answer: Answer): string {
  if (answer.tokensPerSecond === null) return '';
  // The same count as the stop sentence, and the stop token named: it cost a forward pass like the others.
  const counted = answer.stopToken ? `${plural(answer.steps.length, 'answer token')} + the stop token` : plural(answer.generated, 'token');
  return `${counted} in ${(answer.totalMs / 1000).toFixed(2)} s: ${answer.tokensPerSecond.toFixed(1)} tokens/s.`;
}

function samplingSentence(generation: Generation): string {
  const { temperature, topK, topP } = generation.sampling;
  if (temperature === 0) return 'Greedy: the likeliest token at every step.';
  return `Sampled: temperature ${temperature}, top-k ${topK === 0 ? 'off' : topK}, top-p ${topP >= 1 ? 'off' : topP}, seed ${generation.seed} (the same seed gives the same answer).`;
}

interface Skeleton {
  chat: HTMLElement;
  controls: HTMLElement;
}

/** Built once: the reply field must survive the re-render after every streamed token. */
function skeleton(root: HTMLElement): Skeleton {
  const existing = root.querySelector<HTMLElement>(':scope > .complete-response-chat');
  if (existing) return { chat: existing, controls: root.querySelector<HTMLElement>(':scope > .complete-response-controls')! };
  root.classList.add('live-slide');
  const chat = html('div', { className: 'complete-response-chat' });
  const controls = html('div', { className: 'complete-response-controls' });
  root.replaceChildren(html('h2', { className: 'live-title', text: completeResponse.title }), controls, chat);
  return { chat, controls };
}

function drawChat(chat: HTMLElement, trace: Trace, generation: Generation | null): void {
  const messages = trace.chat.messages;
  const userIndex = lastUserMessage(trace.chat);
  const isChat = trace.chat.template === 'model';
  const answer = generation ? answerOf(generation, trace.model.contextLength) : null;
  const { shown, hiddenTokens } = answer ? lastSteps(answer.steps, ANSWER_CHARACTERS) : { shown: [], hiddenTokens: 0 };
  const answerText = hiddenTokens > 0 ? stepsText(shown) : (answer?.text ?? '');
  const earlierCharacters = messages.slice(0, Math.max(0, userIndex)).reduce((sum, m) => sum + Math.min(m.content.length, EARLIER_TURN_CHARACTERS), 0) / 2; // shown small
  const user = tailOf(messages[userIndex]?.content ?? trace.prompt, USER_CHARACTERS);
  const userText = user.shown;

  chat.replaceChildren();
  for (const key of Object.keys(chat.dataset)) delete chat.dataset[key];
  chat.dataset.size = size(earlierCharacters + userText.length + answerText.length);
  Object.assign(chat.dataset, { template: trace.chat.template, turns: String(messages.filter((m) => m.role === 'user').length) });

  // The system message, then the last few earlier turns (the rest counted): nothing follows the last user message but the answer.
  const earlier = messages.map((message, index) => ({ message, index })).filter(({ message, index }) => index < userIndex && message.role !== 'system');
  const hiddenMessages = Math.max(0, earlier.length - EARLIER_MESSAGES_SHOWN);
  const shownEarlier = new Set(earlier.slice(hiddenMessages).map(({ index }) => index));
  messages.forEach((message, index) => {
    if (index >= userIndex || (message.role !== 'system' && !shownEarlier.has(index))) return;
    if (hiddenMessages > 0 && index === earlier[hiddenMessages].index) chat.append(html('p', { className: 'chat-more chat-hidden-messages', text: `… ${plural(hiddenMessages, 'earlier message')}` }));
    const label = message.role === 'system' ? 'System' : message.role === 'user' ? 'You (earlier)' : `${trace.model.name} (earlier)`;
    const { shown: text, hiddenCharacters } = headOf(message.content, EARLIER_TURN_CHARACTERS);
    const box = bubble(message.role, label, text, String(index), hiddenCharacters);
    box.classList.add(message.role === 'system' ? 'chat-system-message' : 'chat-earlier');
    chat.append(box);
  });
  const userBubble = bubble('user', isChat ? 'You' : 'Your prompt', userText, String(Math.max(0, userIndex)));
  if (user.hiddenCharacters > 0) userBubble.querySelector('.chat-bubble-text')!.prepend(html('span', { className: 'chat-more', text: `… (${plural(user.hiddenCharacters, 'earlier character')}) ` }));
  chat.append(userBubble);

  const assistant = bubble('assistant', isChat ? trace.model.name : `${trace.model.name} continues (a base model does not answer)`, '', 'answer');
  const text = assistant.querySelector('.chat-bubble-text')!;
  if (hiddenTokens > 0) text.append(html('span', { className: 'chat-more', text: `… ${plural(hiddenTokens, 'earlier token')} … ` }));
  text.append(document.createTextNode(answerText));
  chat.append(assistant);

  if (!generation || !answer) {
    text.append(html('span', { className: 'chat-waiting', text: 'The answer starts after the prompt’s forward pass.' }));
    chat.dataset.stop = 'generating';
    return;
  }
  if (answer.stop === 'generating') text.append(generatingMark());
  if (answer.stopToken) {
    const stop = html('span', { className: 'chat-stop-token', text: `${tokenDisplayText({ text: answer.stopToken.text })} ${answer.stopToken.id}` });
    text.append(document.createTextNode(' '), stop);
  }
  Object.assign(chat.dataset, {
    answerTokens: String(answer.steps.length),
    generated: String(answer.generated),
    stop: answer.stop,
    hiddenTokens: String(hiddenTokens),
    seed: String(generation.seed),
    sampled: String(generation.sampling.temperature > 0),
  });
  if (answer.stopToken) chat.dataset.stopId = String(answer.stopToken.id);
  if (answer.tokensPerSecond !== null) chat.dataset.tokensPerSecond = String(answer.tokensPerSecond);
  chat.append(
    html('p', { className: `complete-response-stop complete-response-stop-${answer.stop}`, text: stopSentence(trace, generation, answer) }),
    html('p', { className: 'live-caption complete-response-speed', text: [speedSentence(answer), samplingSentence(generation)].filter(Boolean).join(' ') }),
  );
}

function button(action: string, text: string, onClick: () => void): HTMLButtonElement {
  const element = html('button', { className: 'live-choice', text, attrs: { type: 'button', 'data-action': action } });
  element.addEventListener('click', onClick);
  return element;
}

function newSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] % 1_000_000; // shown on the slide: six digits read aloud
}

/** What Reply sends, for the Trace and Generation on screen now (the field outlives them). */
const replyHandlers = new WeakMap<HTMLElement, (message: string) => void>();

/** The reply field and its button, built once per slide: re-renders never take the field from the presenter. */
function replyBox(controls: HTMLElement): HTMLElement {
  const existing = controls.querySelector<HTMLElement>(':scope > .chat-reply');
  if (existing) return existing;
  const box = html('div', { className: 'chat-reply' });
  const send = (message: string) => replyHandlers.get(box)?.(message);
  const field = conversationField(html('textarea', { className: 'chat-reply-field', attrs: { rows: 1, spellcheck: 'false', placeholder: 'Reply… (Enter sends a second turn)', 'aria-label': 'Reply' } }), send);
  box.append(field, button('reply', 'Reply', () => send(field.value)));
  return box;
}

function samplingRow(generation: Generation | null, view: SamplingView, setView: (change: Partial<SamplingView>) => void): HTMLElement {
  const settings = clampSamplingView(view);
  const sampled = (generation?.sampling.temperature ?? 0) > 0;
  const row = html('div', { className: 'live-choices chat-sampling', attrs: { role: 'group', 'aria-label': 'How the answer picks tokens' } });
  const greedy = button('greedy', 'Greedy', () => sendConversationRequest(row, { type: 'sampling', sampling: null }));
  greedy.setAttribute('aria-pressed', String(!sampled));
  const sampleLabel = `Sample (T ${settings.temperature.toFixed(2)} · top-k ${settings.topK === 0 ? 'off' : settings.topK} · top-p ${settings.topP >= 1 ? 'off' : settings.topP.toFixed(2)} · seed ${settings.seed})`;
  const sample = button('sample', sampleLabel, () => sendConversationRequest(row, { type: 'sampling', sampling: settings }));
  sample.setAttribute('aria-pressed', String(sampled));
  const seed = button('new-seed', 'New seed', () => {
    const seeded = clampSamplingView({ ...view, seed: newSeed() });
    sendConversationRequest(row, { type: 'sampling', sampling: seeded }); // first: the view change below redraws this row
    setView({ seed: seeded.seed });
  });
  row.append(html('span', { className: 'live-choices-label', text: 'Answer' }), greedy, sample, seed);
  return row;
}

/** The controls: the reply box kept, the rest redrawn when the Trace or the answer's state changes. */
function drawControls(controls: HTMLElement, trace: Trace, generation: Generation | null, context: SlideContext<SamplingView>): void {
  const done = generation?.cached.done === true;
  const isChat = trace.chat.template === 'model';
  const reply = isChat ? replyBox(controls) : null;
  if (reply) {
    replyHandlers.set(reply, (message) => {
      if (!generation || !done || message.trim() === '') return;
      const answer = answerOf(generation, trace.model.contextLength);
      const field = reply.querySelector<HTMLTextAreaElement>('textarea')!;
      sendConversationRequest(reply, { type: 'reply', message, history: followUpHistory(trace.chat, answer.text) });
      field.value = '';
      field.blur();
    });
    reply.querySelector<HTMLButtonElement>('button')!.disabled = !done;
  }
  const key = `${trace.chat.templated}\u0000${done}\u0000${generation?.seed ?? ''}\u0000${generation?.sampling.temperature ?? ''}\u0000${JSON.stringify(clampSamplingView(context.view))}`;
  if (controls.dataset.key === key && controls.querySelector(':scope > .chat-reply') === reply) return;
  controls.dataset.key = key;
  for (const child of Array.from(controls.children)) if (child !== reply) child.remove();
  if (reply && reply.parentElement !== controls) controls.prepend(reply);
  controls.append(samplingRow(generation, context.view, context.setView));
  if (trace.chat.messages.some((message) => message.role === 'assistant')) controls.append(button('restart', 'Start over', () => sendConversationRequest(controls, { type: 'restart' })));
}

function render(root: HTMLElement, context: SlideContext<SamplingView>): void {
  const { chat, controls } = skeleton(root);
  const trace = context.trace;
  if (!trace) {
    chat.replaceChildren(waitingMessage(context.waitingMessage));
    controls.replaceChildren();
    delete controls.dataset.key;
    return;
  }
  const generation = currentGeneration(trace, context.generation);
  drawChat(chat, trace, generation);
  drawControls(controls, trace, generation, context);
  // The deck's knock-out: the answer shown is the knocked-out model's.
  controls.querySelector(':scope > .ko-answer')?.remove();
  const knockedOut = knockOutAnswerNote(trace);
  if (knockedOut) controls.append(knockedOut);
}

function notes(context: SlideContext<SamplingView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const generation = currentGeneration(trace, context.generation);
  const turns = trace.chat.messages.filter((m) => m.role === 'user').length;
  const lines = [`Turn ${turns} of the conversation with ${trace.model.name}${trace.chat.template === 'none' ? ' (a base model: it continues the prompt)' : ''}. The user said ${quoteToken(trace.prompt)}.`];
  if (!generation) return [...lines, 'The answer has not started yet.'].join('\n');
  const answer = answerOf(generation, trace.model.contextLength);
  lines.push(`The answer so far (${plural(answer.steps.length, 'token')}): ${quoteToken(answer.text.length > 400 ? `${answer.text.slice(0, 400)}…` : answer.text)}.`);
  lines.push(stopSentence(trace, generation, answer));
  const speed = speedSentence(answer);
  if (speed) lines.push(speed);
  lines.push(samplingSentence(generation));
  const knockedOut = knockOutAnswerSentence(trace);
  if (knockedOut) lines.push(knockedOut);
  if (trace.chat.template === 'model') lines.push('Type a follow-up in Reply: the template re-renders the whole conversation, and the KV-cache slide shows how much of it was already cached.');
  return lines.join('\n');
}

const completeResponse = {
  id: 'complete-response',
  title: 'The complete response',
  usesGeneration: true,
  defaultView: DEFAULT_SAMPLING_VIEW,
  viewId: SAMPLING_VIEW_ID,
  render,
  notes,
} satisfies SlideModule<SamplingView>;

export default completeResponse;
