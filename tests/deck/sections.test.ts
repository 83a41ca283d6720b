// @vitest-environment happy-dom
// Live sections: this deck's own, and those a presenter writes in their deck (data-live="<id>").
import { describe, expect, it, vi } from 'vitest';
import { appendLiveSections, bindLiveSections } from '../../src/deck/sections';
import type { SlideModule } from '../../slides/slide';

const slide = (id: string): SlideModule => ({ id, title: id, render: () => {}, notes: () => '' });
const slides = [slide('attention'), slide('tokenization')];

describe('live sections', () => {
  it('appends one live section per slide module, in order', () => {
    document.body.innerHTML = '<div class="slides"></div>';
    const element = document.querySelector<HTMLElement>('.slides')!;
    appendLiveSections(element, slides);
    expect(Array.from(element.children, (section) => (section as HTMLElement).dataset.live)).toEqual(['attention', 'tokenization']);
    const bound = bindLiveSections(element, slides);
    expect(bound.map((built) => [built.slide.id, built.section.id, built.content.className, built.notes.className])).toEqual([
      ['attention', 'attention', 'slide-content', 'notes live-notes'],
      ['tokenization', 'tokenization', 'slide-content', 'notes live-notes'],
    ]);
  });

  it('binds a presenter\'s sections once, keeps their ids and notes, leaves other slides alone, and names an unknown slide', () => {
    document.body.innerHTML = `<div class="slides">
      <section id="mine"><h2>My own slide</h2></section>
      <section data-live="attention" id="my-attention"><h2>replaced</h2><aside class="notes">Say hello first.</aside></section>
      <section data-live="attention"></section>
      <section data-live=" tokenization "></section>
      <section data-live="atention"></section>
    </div>`;
    const element = document.querySelector<HTMLElement>('.slides')!;
    const bound = bindLiveSections(element, slides);
    expect(bound.map((built) => built.section.id)).toEqual(['my-attention', 'attention', 'tokenization']);
    expect(document.getElementById('mine')!.innerHTML).toBe('<h2>My own slide</h2>');
    const own = document.getElementById('my-attention')!;
    expect(Array.from(own.children, (child) => child.className)).toEqual(['slide-content', 'notes', 'notes live-notes']);
    expect(own.querySelector('aside.notes')!.textContent).toBe('Say hello first.');
    const unknown = element.querySelector<HTMLElement>('[data-live="atention"]')!;
    expect(unknown.textContent).toBe('No live slide is called "atention". The names are: attention, tokenization.');
    expect(bindLiveSections(element, slides)).toEqual([]); // markdown binding later finds nothing new here
    element.insertAdjacentHTML('beforeend', '<section data-live="tokenization"></section>');
    expect(bindLiveSections(element, slides).map((built) => built.section.id)).toEqual(['']); // the id is taken: no duplicate
  });

  it('leaves a vertical stack whole when data-live is put on its outer section', () => {
    document.body.innerHTML = '<div class="slides"><section data-live="attention"><section>one</section><section data-live="tokenization"></section></section></div>';
    const element = document.querySelector<HTMLElement>('.slides')!;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(bindLiveSections(element, slides).map((built) => built.slide.id)).toEqual(['tokenization']); // the inner live one
    expect(element.querySelectorAll('section')).toHaveLength(3);
    expect(warn.mock.calls).toEqual([['live-llm: data-live="attention" is on a section that holds other sections; put it on one of them']]);
    warn.mockRestore();
  });
});
