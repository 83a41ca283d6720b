// The deck's slides, in order. Each module is a pure view of the Trace (see slide.ts).
import titleSlide from './01-title';
import tokenizationSlide from './03-tokenization';
import attentionSlide from './04-attention';
import nextTokenSlide from './05-next-token';
import type { SlideModule } from './slide';

export const deckSlides: readonly SlideModule[] = [titleSlide, tokenizationSlide, attentionSlide, nextTokenSlide];
