// @vitest-environment happy-dom
// ?print-pdf: the options given to Reveal, and the print pages brought up to date after a slide
// re-renders (Reveal lays them out once, before the Trace arrives).
import { describe, expect, it } from 'vitest';
import { keepPrintPagesLive, printOptions, printSettingsOf, readPrintSettings, refreshPrintLayout } from '../../src/deck/print-mode';

/** What Reveal's print view leaves: a page per slide (one live, one the presenter's own), here before the Trace. */
function printedDeck(): HTMLElement {
  document.documentElement.classList.add('reveal-print', 'print-pdf');
  document.body.innerHTML = `<div class="reveal"><div class="slides">
    <div class="pdf-page"><section id="one" data-live="one"><div class="slide-content"><p class="live-waiting">Running the model…</p></div><aside class="notes">old</aside></section></div>
    <div class="pdf-page"><section id="two"><div class="slide-content">plain <span class="fragment">own</span></div><aside class="notes">own notes</aside></section></div>
  </div></div>`;
  return document.querySelector('.slides')!;
}

/** A re-render of slide one, as the slides do when the Trace arrives: two fragment steps (listed in DOM order below) and new notes. */
function renderTrace(): void {
  const section = document.getElementById('one')!;
  section.querySelector('.slide-content')!.innerHTML =
    '<p>live 42</p><p class="fragment" data-fragment-index="2">second</p><p class="fragment" data-fragment-index="1">first</p>';
  section.querySelector('aside.notes')!.textContent = 'The value is 42 <b>';
}

const describePages = (slides: HTMLElement) =>
  Array.from(slides.children, (page) =>
    page.classList.contains('speaker-notes-pdf')
      ? `notes: ${page.textContent}`
      : `${page.querySelector('section')!.id}: ${Array.from(page.querySelectorAll('.fragment.visible'), (f) => f.textContent).join(',')}`,
  );

describe('print mode', () => {
  it('gives Reveal nothing without ?print-pdf, and maps the handout options', () => {
    expect(printOptions('?prompt=hello')).toEqual({});
    expect(readPrintSettings('?print-pdf')).toEqual({ fragments: 'merged', notes: 'none' });
    expect(readPrintSettings('?print-pdf&pdf-fragments=separate&pdf-notes')).toEqual({ fragments: 'separate', notes: 'separate-page' });
    expect(printOptions('?print-pdf&pdf-fragments=separate&pdf-notes=inline')).toEqual({ pdfSeparateFragments: true, pdfMaxPagesPerSlide: 1, showNotes: 'inline' });
    expect(printOptions('?print-pdf')).toEqual({ pdfSeparateFragments: false, pdfMaxPagesPerSlide: 1, showNotes: false });
  });

  it('reads the print settings from any deck\'s Reveal config (showNotes true is inline, as in Reveal)', () => {
    expect(printSettingsOf({})).toEqual({ fragments: 'merged', notes: 'none' });
    expect(printSettingsOf({ pdfSeparateFragments: true, showNotes: true })).toEqual({ fragments: 'separate', notes: 'inline' });
    expect(printSettingsOf(printOptions('?print-pdf&pdf-notes'))).toEqual(readPrintSettings('?print-pdf&pdf-notes'));
    expect(printSettingsOf(printOptions('?print-pdf&pdf-notes=inline&pdf-fragments=separate'))).toEqual(readPrintSettings('?print-pdf&pdf-notes=inline&pdf-fragments=separate'));
  });

  it('merged: shows the fragments of a slide drawn after the print layout, and leaves the presenter\'s own slides alone', () => {
    keepPrintPagesLive(readPrintSettings('?print-pdf'));
    const slides = printedDeck();
    renderTrace();
    refreshPrintLayout();
    expect(describePages(slides)).toEqual(['one: second,first', 'two: ']);
  });

  it('separate, with notes: the notes page and one copy per fragment step follow the new render, however often it runs', () => {
    keepPrintPagesLive(readPrintSettings('?print-pdf&pdf-fragments=separate&pdf-notes'));
    const slides = printedDeck();
    refreshPrintLayout(); // before the Trace: notes "old", no fragments
    expect(describePages(slides)).toEqual(['one: ', 'notes: old', 'two: ']);
    renderTrace();
    refreshPrintLayout();
    refreshPrintLayout();
    expect(describePages(slides)).toEqual(['one: ', 'notes: The value is 42 <b>', 'one: first', 'one: second,first', 'two: ']);
    expect(document.getElementById('one')!.closest('.pdf-page')).toBe(slides.firstElementChild); // the live section stays first
  });
});
