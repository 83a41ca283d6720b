// Builds one Reveal <section> per slide module: a content element the slide draws into, and
// the <aside class="notes"> that Reveal's notes plugin shows in the speaker view.
import type { SlideModule } from '../../slides/slide';

export interface BuiltSection {
  slide: SlideModule;
  section: HTMLElement;
  content: HTMLElement;
  notes: HTMLElement;
}

export function buildSections(slidesElement: HTMLElement, slides: readonly SlideModule[]): BuiltSection[] {
  return slides.map((slide) => {
    const section = document.createElement('section');
    section.id = slide.id; // Reveal puts it in the hash: #/attention
    section.dataset.slideId = slide.id;
    const content = document.createElement('div');
    content.className = 'slide-content';
    const notes = document.createElement('aside');
    notes.className = 'notes';
    section.append(content, notes);
    slidesElement.append(section);
    return { slide, section, content, notes };
  });
}
