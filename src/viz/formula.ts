// Typesets a formula with KaTeX from the local package (no CDN). The TeX source is always ours,
// never prompt text; numbers from the Trace enter only through formatNumber-style helpers.
import katex from 'katex';

/** A <span> holding the typeset formula. */
export function formula(tex: string, displayMode = true): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'formula';
  // KaTeX escapes everything in the TeX it is given, so its markup is safe to insert; render()
  // would do the same but refuses documents in quirks mode (Node tests' happy-dom).
  span.innerHTML = katex.renderToString(tex, { displayMode, throwOnError: false, output: 'htmlAndMathml' });
  return span;
}
