// The event render-slides.ts dispatches on the document after each render (print-mode.ts listens).
export const SLIDES_DRAWN_EVENT = 'deck:slides-drawn';
