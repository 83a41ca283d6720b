// Reading what the live slides show, from the data-* attributes they expose (see slides/03..05).
import type { Page } from 'playwright-core';

/** What a slide says about itself: a failure, a missing output, a waiting message (null when none), and how much text it shows. */
export async function slideState(page: Page, id: string): Promise<{ failed: string | null; missing: string | null; waiting: string | null; textLength: number }> {
  return page.evaluate((slideId) => {
    const section = document.getElementById(slideId)!;
    return {
      failed: section.querySelector('.slide-failed')?.textContent ?? null,
      missing: section.querySelector('.live-missing')?.textContent ?? null,
      waiting: section.querySelector('.live-waiting')?.textContent ?? null,
      textLength: section.textContent?.length ?? 0,
    };
  }, id);
}

export interface SlideNumbers {
  tokenIds: number[];
  /** Next-token candidates in rank order. */
  topk: { id: number; prob: number }[];
  attention: { layer: number; head: number; cells: { query: number; key: number; prob: number }[] };
}

/** The token ids, the next-token candidates and the attention cells the slides show. */
export async function readSlideNumbers(page: Page): Promise<SlideNumbers> {
  return page.evaluate(() => {
    const chips = [...document.querySelectorAll<HTMLElement>('section#tokenization .token-row [data-token-id]')];
    const tokenIds = chips.sort((a, b) => Number(a.dataset.tokenIndex) - Number(b.dataset.tokenIndex)).map((chip) => Number(chip.dataset.tokenId));
    const topk = [...document.querySelectorAll<HTMLElement>('section#next-token [data-rank]')]
      .sort((a, b) => Number(a.dataset.rank) - Number(b.dataset.rank))
      .map((row) => ({ id: Number(row.dataset.tokenId), prob: Number(row.dataset.prob) }));
    const attentionRoot = document.querySelector<HTMLElement>('section#attention .slide-content')!;
    const cells = [...attentionRoot.querySelectorAll<Element>('[data-query][data-key][data-prob]')].map((cell) => ({
      query: Number(cell.getAttribute('data-query')),
      key: Number(cell.getAttribute('data-key')),
      prob: Number(cell.getAttribute('data-prob')),
    }));
    return { tokenIds, topk, attention: { layer: Number(attentionRoot.dataset.layer), head: Number(attentionRoot.dataset.head), cells } };
  });
}
