// Auditing what the audience sees on one slide (or one printed page): every element's box inside the
// 1280x720 frame, no scroll box hiding content, type large enough for a hall and text contrast of at least
// 4.5:1 (WCAG AA). Runs in the page (page.evaluate); tests/browser/frame-and-legibility.test.ts walks the deck with it.
import type { Page } from 'playwright-core';

export type FrameProblemKind = 'outside' | 'scroll' | 'font' | 'contrast';

export interface FrameProblem {
  kind: FrameProblemKind;
  /** A short CSS-ish path of the element and what is wrong ("div.kv-table: 31 px below the frame"). */
  detail: string;
}

/** The least sizes on the 1280-wide canvas (CSS px before Reveal scales it): issue 12's type for a hall. */
export const MIN_FONT_PX = { body: 28, caption: 24, label: 16 } as const;
export const MIN_CONTRAST = 4.5;

/** Elements whose text is a figure's label (≥ 16 px) rather than body text. */
export const FIGURE_SELECTOR = 'svg, table, .katex, [class*="heatmap"], [class*="chart"], [class*="bars"], [class*="grid"], [class*="strip"], [class*="matrix"], [class*="cell"], [class*="bar-"], [class*="legend"], [class*="axis"]';
/** Elements whose text is a caption (≥ 24 px). */
export const CAPTION_SELECTOR = '.live-caption, figcaption, [class*="caption"], [class*="note"], [class*="legend"]';

/**
 * The problems of the element `rootSelector` (a slide's section, or a printed page), measured against the
 * box of `frameSelector` (Reveal's .slides, or the page itself). Elements that are not shown
 * (display none, visibility hidden, opacity 0 anywhere up the tree, zero size) are skipped, and so are
 * KaTeX's hidden MathML copy, an SVG's inner shapes (the svg and its text are measured) and what an
 * ancestor clips (the ancestor is measured, and a scroll box that hides content is a problem of its own).
 * `containers`: elements that only hold the slide (a printed page's section, stretched to the page).
 */
export async function frameProblems(page: Page, rootSelector: string, frameSelector: string, checkType: boolean, containers = ''): Promise<FrameProblem[]> {
  return page.evaluate(
    ({ rootSelector, frameSelector, checkType, containers, minFont, minContrast, figureSelector, captionSelector }) => {
      const root = document.querySelector<HTMLElement>(rootSelector);
      const frame = document.querySelector<HTMLElement>(frameSelector);
      if (!root || !frame) return [{ kind: 'outside' as const, detail: `no ${root ? frameSelector : rootSelector}` }];
      const problems: { kind: 'outside' | 'scroll' | 'font' | 'contrast'; detail: string }[] = [];
      const frameBox = frame.getBoundingClientRect();
      // Reveal scales the 1280x720 canvas to the window: boxes are measured scaled, distances reported unscaled.
      const scale = frameBox.width / (frame.offsetWidth || frameBox.width || 1);
      const name = (element: Element): string => {
        const classes = [...element.classList].filter((c) => !['present', 'visible', 'fragment', 'current-fragment'].includes(c)).slice(0, 2);
        return `${element.tagName.toLowerCase()}${classes.map((c) => `.${c}`).join('')}`;
      };
      const shown = (element: Element): boolean => {
        for (let at: Element | null = element; at && at !== root.parentElement; at = at.parentElement) {
          const style = getComputedStyle(at);
          if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return false;
        }
        return true;
      };
      const parse = (colour: string): [number, number, number, number] | null => {
        const match = colour.match(/rgba?\(([^)]+)\)/);
        if (!match) return null;
        const parts = match[1].split(/[ ,/]+/).filter(Boolean).map(Number);
        return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
      };
      const luminance = ([r, g, b]: number[]): number => {
        const channel = (v: number) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      };
      const blend = (top: number[], alpha: number, bottom: number[]) => top.map((v, i) => v * alpha + bottom[i] * (1 - alpha));
      /** The colour behind an element: its own or its nearest ancestor's opaque-ish background, blended down to the page's. */
      const backgroundOf = (element: Element): number[] => {
        const layers: [number, number, number, number][] = [];
        for (let at: Element | null = element; at; at = at.parentElement) {
          const colour = parse(getComputedStyle(at).backgroundColor);
          if (colour && colour[3] > 0) {
            layers.push(colour);
            if (colour[3] >= 1) break;
          }
        }
        let base = [0, 0, 0];
        const body = parse(getComputedStyle(document.body).backgroundColor);
        if (body && body[3] > 0) base = body.slice(0, 3);
        for (const layer of layers.reverse()) base = blend(layer.slice(0, 3), layer[3], base);
        return base;
      };

      const seen = new Set<string>();
      const note = (kind: 'outside' | 'scroll' | 'font' | 'contrast', detail: string) => {
        if (seen.has(kind + detail)) return;
        seen.add(kind + detail);
        problems.push({ kind, detail });
      };
      const clippedByAncestor = (element: Element): boolean => {
        for (let at = element.parentElement; at && at !== root; at = at.parentElement) {
          const style = getComputedStyle(at);
          if (style.overflowX !== 'visible' || style.overflowY !== 'visible') return true;
        }
        return false;
      };
      for (const element of root.querySelectorAll('*')) {
        if (element.closest('aside.notes, .notes, script, style, .katex-mathml')) continue;
        if (containers && element.matches(containers)) continue;
        if (element.parentElement?.closest('svg') && element.tagName.toLowerCase() !== 'text') continue;
        const box = element.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (!shown(element)) continue;
        const past = {
          below: (box.bottom - frameBox.bottom) / scale,
          right: (box.right - frameBox.right) / scale,
          above: (frameBox.top - box.top) / scale,
          left: (frameBox.left - box.left) / scale,
        };
        const worst = Object.entries(past).filter(([, by]) => by > 1.5).map(([side, by]) => `${Math.round(by)} px ${side === 'below' || side === 'above' ? side : `past the ${side}`}`);
        if (worst.length > 0 && !clippedByAncestor(element)) note('outside', `${name(element)}: ${worst.join(', ')} the frame`);
        const style = getComputedStyle(element);
        const scrolls = (overflow: string) => overflow === 'auto' || overflow === 'scroll';
        if ((scrolls(style.overflowY) && element.scrollHeight > element.clientHeight + 1) || (scrolls(style.overflowX) && element.scrollWidth > element.clientWidth + 1)) {
          note('scroll', `${name(element)}: a scroll box hiding ${Math.max(element.scrollHeight - element.clientHeight, element.scrollWidth - element.clientWidth)} px`);
        }
        if (!checkType) continue;
        // Zero-width characters are not text anyone reads (KaTeX's struts hold one at 1 px); trim() keeps them.
        const ownText = [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && (node.textContent ?? '').replace(/[\u200B-\u200D\u2060\uFEFF]/g, '').trim() !== '');
        if (!ownText) continue;
        const size = parseFloat(style.fontSize);
        const role = element.closest(figureSelector) ? 'label' : element.closest(captionSelector) ? 'caption' : 'body';
        const least = minFont[role];
        if (size < least - 0.01) note('font', `${name(element)}: ${role} text at ${size} px (at least ${least})`);
        const colour = parse(style.color);
        if (colour) {
          let alpha = colour[3];
          for (let at: Element | null = element; at && at !== document.body; at = at.parentElement) alpha *= Number(getComputedStyle(at).opacity);
          const background = backgroundOf(element);
          const text = blend(colour.slice(0, 3), alpha, background);
          const [light, dark] = [luminance(text), luminance(background)].sort((a, b) => b - a);
          const ratio = (light + 0.05) / (dark + 0.05);
          if (ratio < minContrast) note('contrast', `${name(element)}: ${ratio.toFixed(2)}:1`);
        }
      }
      return problems;
    },
    { rootSelector, frameSelector, checkType, containers, minFont: MIN_FONT_PX, minContrast: MIN_CONTRAST, figureSelector: FIGURE_SELECTOR, captionSelector: CAPTION_SELECTOR },
  );
}
