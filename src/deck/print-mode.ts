// `?print-pdf`: Reveal's print view, kept in step with the live slides. Reveal lays the print pages
// out once, at start-up, before the model has produced anything: it shows the fragments, copies the
// speaker notes and (with separate fragments) clones the pages of the slides as they are then,
// waiting messages included. Our slides re-render when the Trace and each generation step arrive,
// so after every render (render-slides.ts says so with an event; and once Reveal says 'pdf-ready')
// the live slides' pages are brought up to date here: fragments shown, notes copied again, fragment
// pages cloned again from the fresh render.
//   ?pdf-fragments=merged (default)  one page per slide, every fragment shown
//   ?pdf-fragments=separate          one more page per fragment step (Reveal's pdfSeparateFragments)
//   ?pdf-notes=separate-page|inline  the speaker notes (with their live values) on their own page or on the slide
//   ?print-theme=dark                the screen's black look (default: the light print theme, print-mode.css)
// A text field (the title's prompt) is printed as a copy of its whole text, never as a field that
// hides what does not fit (its font shrinks until the text fits the page).
import type { RevealConfig } from 'reveal.js';
import './print-mode.css';
import { SLIDES_DRAWN_EVENT } from './slides-drawn-event';

export type PdfFragments = 'merged' | 'separate';
export type PdfNotes = 'none' | 'separate-page' | 'inline';

export interface PrintSettings {
  fragments: PdfFragments;
  notes: PdfNotes;
}

export type PrintTheme = 'light' | 'dark';

/** The handout's theme: light (white pages, dark text) unless `?print-theme=dark`. */
export function readPrintTheme(search: string): PrintTheme {
  return new URLSearchParams(search).get('print-theme') === 'dark' ? 'dark' : 'light';
}

export function isPrintPdf(search: string): boolean {
  return /print-pdf/i.test(search); // the test Reveal itself makes
}

export function readPrintSettings(search: string): PrintSettings {
  const params = new URLSearchParams(search);
  const notes = params.get('pdf-notes');
  return {
    fragments: params.get('pdf-fragments') === 'separate' ? 'separate' : 'merged',
    notes: notes === 'inline' || notes === 'separate-page' ? notes : notes === null ? 'none' : 'separate-page',
  };
}

/** Reveal options for `?print-pdf` (nothing otherwise), spread into this deck's Reveal config. */
export function printOptions(search: string): Partial<RevealConfig> {
  if (!isPrintPdf(search)) return {};
  const settings = readPrintSettings(search);
  return {
    pdfSeparateFragments: settings.fragments === 'separate',
    pdfMaxPagesPerSlide: 1, // a slide is one page (its content is laid out to fit)
    // Reveal's print view takes 'separate-page' or 'inline' here, though its types say boolean.
    showNotes: (settings.notes === 'none' ? false : settings.notes) as unknown as boolean,
  };
}

/** The print settings a Reveal config asks for (any deck's: showNotes true means inline, as in Reveal). */
export function printSettingsOf(config: { pdfSeparateFragments?: boolean; showNotes?: boolean | string }): PrintSettings {
  const notes = config.showNotes;
  return {
    fragments: config.pdfSeparateFragments ? 'separate' : 'merged',
    notes: notes === 'separate-page' ? 'separate-page' : notes ? 'inline' : 'none',
  };
}

/** The settings of this page when it is printing, else null (set by keepPrintPagesLive). */
let active: PrintSettings | null = null;

/** In Reveal's print view: brings the live slides' print pages up to date after every render. */
export function keepPrintPagesLive(settings: PrintSettings): void {
  if (active === null) {
    document.documentElement.dataset.printTheme = readPrintTheme(window.location.search); // print-mode.css's themes
    document.addEventListener(SLIDES_DRAWN_EVENT, refreshPrintLayout);
    document.addEventListener('pdf-ready', () => {
      refreshPrintLayout();
      document.documentElement.dataset.printLayout = 'ready'; // npm run handout waits for this
    });
  }
  active = settings;
}

const NOTES_SPACING = 8; // as Reveal's print view

function notesElement(section: HTMLElement, layout: Exclude<PdfNotes, 'none'>, pageWidth: number): HTMLElement | null {
  const notes = Array.from(section.querySelectorAll('aside.notes'), (aside) => aside.innerHTML).join('\n');
  if (notes.trim() === '') return null;
  const element = document.createElement('div');
  element.classList.add('speaker-notes', 'speaker-notes-pdf');
  element.setAttribute('data-layout', layout);
  element.innerHTML = notes; // the aside's own markup: our notes are written with textContent
  if (layout === 'inline') {
    element.style.left = `${NOTES_SPACING}px`;
    element.style.bottom = `${NOTES_SPACING}px`;
    element.style.width = `${pageWidth - NOTES_SPACING * 2}px`;
  }
  return element;
}

/** Fragment groups in Reveal's order: by data-fragment-index, then those without one in DOM order. */
function fragmentGroups(root: ParentNode): HTMLElement[][] {
  const ordered: HTMLElement[][] = [];
  const unordered: HTMLElement[][] = [];
  for (const fragment of Array.from(root.querySelectorAll<HTMLElement>('.fragment'))) {
    const index = Number.parseInt(fragment.getAttribute('data-fragment-index') ?? '', 10);
    if (Number.isNaN(index)) unordered.push([fragment]);
    else (ordered[index] ??= []).push(fragment);
  }
  return [...ordered.filter((group) => group !== undefined), ...unordered];
}

/**
 * Rebuilds what Reveal's print view derived from the slides' content: for each slide's page, the
 * fragments' state, its notes (inline or on the next page) and, with separate fragments, one copy
 * of the page per fragment step. A no-op unless the print view has laid out its pages.
 */
export function refreshPrintLayout(): void {
  if (!active || !document.documentElement.classList.contains('print-pdf')) return;
  const settings = active;
  const pages = Array.from(document.querySelectorAll<HTMLElement>('.reveal .slides > .pdf-page'));
  for (const page of pages) printFieldsInFull(page);
  for (const page of pages) {
    const section = page.querySelector<HTMLElement>(':scope > section[data-live]');
    // A page of a live slide's own section (the copies hold clones with the same id, later in the
    // document); the presenter's other slides do not change after Reveal laid them out.
    if (!section || (section.id && document.getElementById(section.id) !== section)) continue;
    // Drop what was derived from the old content: the notes, and the pages up to the next slide's.
    for (const old of Array.from(page.querySelectorAll(':scope > .speaker-notes-pdf'))) old.remove();
    for (let next = page.nextElementSibling; next && isDerivedPage(next); next = page.nextElementSibling) next.remove();

    const pageWidth = page.offsetWidth;
    const derived: HTMLElement[] = [];
    if (settings.notes !== 'none') {
      const notes = notesElement(section, settings.notes, pageWidth);
      if (notes && settings.notes === 'inline') page.append(notes);
      else if (notes) derived.push(notes);
    }
    const groups = fragmentGroups(page);
    if (settings.fragments === 'separate') {
      for (const fragment of groups.flat()) fragment.classList.remove('visible', 'current-fragment');
      let previous: HTMLElement[] = [];
      for (const group of groups) {
        for (const fragment of previous) fragment.classList.remove('current-fragment');
        for (const fragment of group) fragment.classList.add('visible', 'current-fragment');
        const copy = page.cloneNode(true) as HTMLElement;
        copy.dataset.printCopy = 'true';
        derived.push(copy);
        previous = group;
      }
      for (const fragment of groups.flat()) fragment.classList.remove('visible', 'current-fragment');
    } else {
      for (const fragment of groups.flat()) if (!fragment.classList.contains('fade-out')) fragment.classList.add('visible');
    }
    page.after(...derived);
  }
}

const SMALLEST_FIELD_FONT_PX = 12;

/**
 * Each text field of a page printed as a copy of its whole text (a field's value is not part of the
 * markup, and a field clips what does not fit): a div with the field's classes, so its look, after
 * the field, which print-mode.css hides. Its font shrinks until the text stays inside the page.
 */
function printFieldsInFull(page: HTMLElement): void {
  for (const field of Array.from(page.querySelectorAll<HTMLTextAreaElement>('textarea'))) {
    let copy = field.nextElementSibling as HTMLElement | null;
    if (!copy?.classList.contains('print-field-text')) {
      copy = document.createElement('div');
      field.after(copy);
    }
    copy.className = `${field.className} print-field-text`;
    copy.textContent = field.value;
    copy.style.fontSize = '';
    field.dataset.printReplaced = 'true';
    const pageBottom = page.getBoundingClientRect().bottom;
    let fontSize = Number.parseFloat(getComputedStyle(copy).fontSize);
    while (copy.getBoundingClientRect().bottom > pageBottom && fontSize > SMALLEST_FIELD_FONT_PX) {
      fontSize = Math.max(SMALLEST_FIELD_FONT_PX, fontSize * 0.9);
      copy.style.fontSize = `${fontSize}px`;
    }
  }
}

/** A notes page, or a .pdf-page holding a copy of a slide (not the slide's own section). */
function isDerivedPage(element: Element): boolean {
  if (element.classList.contains('speaker-notes-pdf')) return true;
  if (!element.classList.contains('pdf-page')) return false;
  const section = element.querySelector<HTMLElement>(':scope > section');
  return !!section && !!section.id && document.getElementById(section.id) !== section;
}
