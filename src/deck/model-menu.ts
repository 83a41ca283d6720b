// The title slide's model menu: fills every <select data-model-menu> from models/models.json (written
// by src/cli/models-json.ts at build, served fresh in dev) with each folder's family, size, precision
// and whether it chats, and says in [data-model-about] what the chosen model read (its model card's
// line). Choosing a model sets ?model= and reloads the deck, which loads that model.
import { familyDisplayName } from '../viz/architecture-names';
import type { ModelListing, ModelsJson } from '../cli/models-json';
import { searchWith } from './url-state';

export const MODEL_MENU_SELECTOR = 'select[data-model-menu]';
export const MODEL_ABOUT_SELECTOR = '[data-model-about]';

/** 5322240 -> "5.3 M", 1235814400 -> "1.24 B". */
export function parameterText(count: number): string {
  return count >= 1e9 ? `${(count / 1e9).toFixed(2)} B` : `${(count / 1e6).toFixed(1)} M`;
}

/** "sotu-gpt · GPT-2 · 5.3 M parameters · fp32 · base model". */
export function modelMenuLabel(entry: ModelListing): string {
  const parts = [entry.name, familyDisplayName(entry.modelType)];
  if (entry.parameterCount !== null) parts.push(`${parameterText(entry.parameterCount)} parameters`);
  parts.push(entry.precisions.join('/'), entry.chatTemplate ? 'chat model' : 'base model');
  return parts.join(' · ');
}

/** One line on what the model is, for the audience: its model card's words, and what a base model does with a question. */
export function modelAboutText(entry: ModelListing): string {
  const read = entry.description ? `${entry.name}: ${entry.description}.` : '';
  const kind = entry.chatTemplate ? 'A chat model: it answers in turns.' : 'A base model: it continues your text; it does not answer questions.';
  return [read, kind].filter(Boolean).join(' ');
}

function option(label: string, value: string): HTMLOptionElement {
  const element = document.createElement('option');
  element.value = value;
  element.textContent = label;
  return element;
}

/** Fills the menus and about lines under `root` for `current` (kept selectable even when models.json does not list it). */
export function fillModelMenus(root: ParentNode, listing: ModelsJson, current: string): void {
  const entries = listing.models;
  const chosen = entries.find((entry) => entry.name === current) ?? null;
  for (const select of Array.from(root.querySelectorAll<HTMLSelectElement>(MODEL_MENU_SELECTOR))) {
    const options = entries.map((entry) => option(modelMenuLabel(entry), entry.name));
    if (!chosen) options.unshift(option(`${current} (not in models.json)`, current));
    select.replaceChildren(...options);
    select.value = current;
    const row = select.closest<HTMLElement>('[data-model-menu-row]');
    if (row) row.hidden = entries.length === 0;
  }
  for (const about of Array.from(root.querySelectorAll<HTMLElement>(MODEL_ABOUT_SELECTOR))) about.textContent = chosen ? modelAboutText(chosen) : '';
}

/** The deck's URL for another model: ?model= set, the rest (prompt, slide) kept. */
export function urlForModel(location: Pick<Location, 'pathname' | 'search' | 'hash'>, model: string): string {
  return `${location.pathname}${searchWith(location.search, 'model', model)}${location.hash}`;
}

/** models.json, or null when the deck has none (an older build) or it cannot be read. */
export async function fetchModelList(modelsJsonUrl: string): Promise<ModelsJson | null> {
  try {
    const response = await fetch(modelsJsonUrl, { cache: 'no-cache' });
    return response.ok ? ((await response.json()) as ModelsJson) : null;
  } catch (error) {
    console.warn('live-llm: no model list', error);
    return null;
  }
}

/**
 * Fills the menus from `listing` (they stay hidden without one); a change loads the deck again on the
 * chosen model.
 */
export function connectModelMenu(root: Document, listing: ModelsJson | null, current: string, navigate: (url: string) => void = (url) => window.location.assign(url)): void {
  root.addEventListener('change', (event) => {
    const select = event.target;
    if (select instanceof HTMLSelectElement && select.matches(MODEL_MENU_SELECTOR) && select.value !== current) navigate(urlForModel(window.location, select.value));
  });
  // Reveal does not treat a <select> as a field: its arrow keys would change the slide as well as the choice.
  root.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLSelectElement && event.target.matches(MODEL_MENU_SELECTOR)) event.stopPropagation();
  }, true);
  if (listing) fillModelMenus(root, listing, current);
}
