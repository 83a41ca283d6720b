// Live slides are Reveal <section data-live="<slide id>"> elements: this deck writes one per slide
// module, and a presenter's own deck writes them by hand or in markdown (<!-- .slide: data-live="attention" -->).
// Binding one gives it a content element the slide draws into and an <aside class="notes"> for the
// speaker view; the presenter's own notes on that section are kept, before the live ones.
import type { SlideModule } from '../../slides/slide';

export const LIVE_SECTION_SELECTOR = 'section[data-live]';

export interface BuiltSection {
  slide: SlideModule;
  section: HTMLElement;
  content: HTMLElement;
  notes: HTMLElement;
}

/** Appends an empty live section per slide module (this deck's own slides). */
export function appendLiveSections(slidesElement: HTMLElement, slides: readonly SlideModule[]): void {
  for (const slide of slides) {
    const section = document.createElement('section');
    section.dataset.live = slide.id;
    slidesElement.append(section);
  }
}

/**
 * Binds every live section under `root` not bound yet to its slide module. A section naming no
 * slide says so on the slide, with the names it could have used. Returns the sections bound now.
 */
export function bindLiveSections(root: ParentNode, slides: readonly SlideModule[]): BuiltSection[] {
  const bound: BuiltSection[] = [];
  for (const section of Array.from(root.querySelectorAll<HTMLElement>(LIVE_SECTION_SELECTOR))) {
    if (section.dataset.liveBound) continue;
    section.dataset.liveBound = 'true';
    // A vertical stack's outer section holds slides of its own: drawing into it would erase them.
    if (section.querySelector(':scope > section')) {
      console.warn(`live-llm: data-live="${section.dataset.live}" is on a section that holds other sections; put it on one of them`);
      continue;
    }
    section.classList.add('live-llm-slide');
    const name = (section.dataset.live ?? '').trim();
    const slide = slides.find((candidate) => candidate.id === name);
    // Reveal puts the id in the hash (#/attention); a presenter's own id, or a repeated slide, keeps its own.
    if (slide && !section.id && !document.getElementById(slide.id)) section.id = slide.id;
    section.dataset.slideId = slide?.id ?? '';
    const presenterNotes = Array.from(section.querySelectorAll(':scope > aside.notes'));
    const content = document.createElement('div');
    content.className = 'slide-content';
    const notes = document.createElement('aside');
    notes.className = 'notes live-notes';
    section.replaceChildren(content, ...presenterNotes, notes);
    if (slide) bound.push({ slide, section, content, notes });
    else content.replaceChildren(unknownSlideMessage(name, slides));
  }
  return bound;
}

function unknownSlideMessage(name: string, slides: readonly SlideModule[]): HTMLElement {
  const message = document.createElement('p');
  message.className = 'slide-failed';
  message.textContent = `No live slide is called "${name}". The names are: ${slides.map((slide) => slide.id).join(', ')}.`;
  return message;
}
