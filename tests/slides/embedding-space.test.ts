// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import embeddingSpace from '../../slides/08-embedding-space';
import type { AnalogyResult, Trace } from '../../src/trace';
import { makeTrace } from '../fixtures/synthetic-trace';
import { loadRealTraces, type RealTraces } from './real-traces';
import { notesOf, renderSlide, tagNames, WAITING } from './render-slide';

let real: RealTraces;
beforeAll(async () => {
  real = await loadRealTraces();
});
afterEach(() => document.body.replaceChildren());

function withAnalogy(trace: Trace, change: Partial<AnalogyResult>): Trace {
  return { ...trace, extras: { ...trace.extras!, analogy: { ...trace.extras!.analogy, ...change } } };
}

const percent1 = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

describe('embedding-space slide', () => {
  it.each(['ordinary', 'oneToken', 'hostile', 'long'] as const)('renders the %s trace: every map point where the PCA put it', (name) => {
    const trace = real[name];
    const { points, explainedVariance } = trace.extras!.embeddingSpace;
    const root = renderSlide(embeddingSpace, trace);
    expect(Number(root.dataset.pointCount)).toBe(points.length);
    expect(Number(root.dataset.explained1)).toBe(explainedVariance[0]);
    expect(Number(root.dataset.explained2)).toBe(explainedVariance[1]);
    const drawn = Array.from(root.querySelectorAll<SVGGElement>('.emb-point'));
    expect(drawn).toHaveLength(points.length);
    for (const element of drawn) {
      const point = points.find((p) => p.id === Number(element.dataset.id))!;
      expect(element.dataset.word).toBe(point.word);
      expect(Number(element.dataset.x)).toBe(point.x);
      expect(Number(element.dataset.y)).toBe(point.y);
      expect(element.dataset.fromPrompt).toBe(String(point.fromPrompt));
      expect(element.classList.contains('emb-point-prompt')).toBe(point.fromPrompt);
    }
    const axes = Array.from(root.querySelectorAll('.scatter-axis-label'), (t) => t.textContent);
    expect(axes).toEqual([`PC 1 (${percent1(explainedVariance[0])} of variance)`, `PC 2 (${percent1(explainedVariance[1])} of variance)`]);
  });

  it('places points with one scale for both axes (distances on screen follow the PCA plane)', () => {
    const root = renderSlide(embeddingSpace, real.ordinary);
    const drawn = Array.from(root.querySelectorAll<SVGGElement>('.emb-point'));
    const at = (g: SVGGElement) => {
      const circle = g.querySelector('circle')!;
      return { px: Number(circle.getAttribute('cx')), py: Number(circle.getAttribute('cy')), x: Number(g.dataset.x), y: Number(g.dataset.y) };
    };
    const [a, b] = [at(drawn[0]), at(drawn[drawn.length - 1])];
    const xScale = (b.px - a.px) / (b.x - a.x);
    const yScale = (b.py - a.py) / (b.y - a.y);
    expect(yScale).toBeCloseTo(-xScale, 6); // SVG y grows downwards
  });

  it('lists the analogy’s real nearest neighbours with their cosines', () => {
    const trace = real.ordinary;
    const { neighbours } = trace.extras!.analogy;
    const root = renderSlide(embeddingSpace, trace);
    const rows = Array.from(root.querySelectorAll<HTMLElement>('.analogy-neighbour'));
    expect(rows).toHaveLength(neighbours.length);
    rows.forEach((row, i) => {
      expect(Number(row.dataset.rank)).toBe(i + 1);
      expect(Number(row.dataset.tokenId)).toBe(neighbours[i].id);
      expect(Number(row.dataset.cosine)).toBe(neighbours[i].cosine);
      expect(row.querySelector('.bar-value')?.textContent).toBe(neighbours[i].cosine.toFixed(3));
    });
    expect(root.querySelector('.formula')?.textContent).toContain('king');
  });

  it('says when an analogy word is several tokens, and that its vector is their mean', () => {
    const trace = real.ordinary;
    const { words, ids } = trace.extras!.analogy;
    const root = renderSlide(embeddingSpace, trace);
    const items = Array.from(root.querySelectorAll<HTMLElement>('.analogy-word'));
    expect(items.map((item) => item.dataset.word)).toEqual(words);
    items.forEach((item, i) => {
      expect(item.dataset.ids).toBe(ids[i].join(' '));
      if (ids[i].length > 1) {
        expect(item.textContent).toContain(`is ${ids[i].length} tokens in this vocabulary`);
        expect(item.textContent).toContain('mean of their');
        expect(item.textContent!.split(' + ')).toHaveLength(ids[i].length); // one name per token
      }
    });
    const split = { ...trace, extras: { ...trace.extras!, analogy: { ...trace.extras!.analogy, ids: [[trace.tokens[0].id, 999999], [5], [6]] as [number[], number[], number[]], tokenTexts: [[trace.tokens[0].text], [], []] as [string[], string[], string[]] } } };
    const splitRoot = renderSlide(embeddingSpace, split);
    const king = splitRoot.querySelector('.analogy-word-split')!;
    expect(king.textContent).toContain(`“${trace.tokens[0].text.replace(/ /g, '␣')}” + id 999999`);
  });

  it('is honest about queen, whichever way it comes out', () => {
    const trace = real.ordinary;
    const actualRank = trace.extras!.analogy.neighbours.findIndex((n) => n.token.trim().toLowerCase() === 'queen') + 1;
    const root = renderSlide(embeddingSpace, trace);
    expect(Number(root.dataset.expectedRank)).toBe(actualRank);
    expect(root.querySelector('.analogy-other-model')?.textContent).toMatch(/Another model: .*word2vec.*billions of words/);

    const without = withAnalogy(trace, { neighbours: trace.extras!.analogy.neighbours.filter((n) => n.token.trim().toLowerCase() !== 'queen') });
    const absent = renderSlide(embeddingSpace, without);
    expect(absent.dataset.expectedRank).toBe('0');
    expect(absent.querySelector('.analogy-ours')?.textContent).toContain('do not show the famous analogy');

    const neighbours = [...trace.extras!.analogy.neighbours];
    neighbours[2] = { id: 4242, token: ' queen', cosine: neighbours[2].cosine };
    const present = renderSlide(embeddingSpace, withAnalogy(trace, { neighbours }));
    expect(present.dataset.expectedRank).toBe('3');
    expect(present.querySelector('.analogy-ours')?.textContent).toContain(`“queen” is number 3 here, cosine ${neighbours[2].cosine.toFixed(3)}`);
    expect(present.querySelector('.analogy-expected')?.getAttribute('data-token-id')).toBe('4242');
  });

  it('names the reference words left off the map', () => {
    const trace = real.ordinary;
    const skipped = trace.extras!.embeddingSpace.skippedWords;
    const root = renderSlide(embeddingSpace, trace);
    for (const word of skipped) expect(root.querySelector('.emb-map figcaption')?.textContent).toContain(`“${word.trim()}”`);
  });

  it('renders hostile token text as text, never as elements', () => {
    const trace = real.hostile;
    const hostile = {
      ...trace,
      extras: { ...trace.extras!, embeddingSpace: { ...trace.extras!.embeddingSpace, points: [...trace.extras!.embeddingSpace.points, { word: '<img src=x onerror=alert(1)>', id: 9, x: 0, y: 0, fromPrompt: true }] } },
    };
    const root = renderSlide(embeddingSpace, withAnalogy(hostile, { neighbours: [{ id: 8, token: '<script>x</script>', cosine: 0.5 }] }));
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(root.textContent).toContain('<script>x</script>');
  });

  it('says so when the weights are missing', () => {
    const root = renderSlide(embeddingSpace, { ...real.ordinary, extras: null });
    expect(root.querySelector('.live-missing')?.getAttribute('data-missing')).toBe('trace.extras');
    expect(root.querySelector('svg')).toBeNull();
    expect(renderSlide(embeddingSpace, makeTrace()).querySelector('.live-missing')?.textContent).toContain('trace.extras');
  });

  it('shows the waiting message without a Trace', () => {
    expect(renderSlide(embeddingSpace, null).querySelector('.live-waiting')?.textContent).toBe(WAITING);
  });

  it('quotes the live values in the notes', () => {
    const trace = real.ordinary;
    const { embeddingSpace: space, analogy } = trace.extras!;
    const notes = notesOf(embeddingSpace, { trace, waitingMessage: WAITING });
    expect(notes).toContain(`PC 1 keeps ${percent1(space.explainedVariance[0])} of the variance, PC 2 ${percent1(space.explainedVariance[1])}`);
    expect(notes).toContain(`${JSON.stringify(analogy.neighbours[0].token)} ${analogy.neighbours[0].cosine.toFixed(3)}`);
    expect(notes).toContain(`Map: ${space.points.length} tokens`);
    expect(notesOf(embeddingSpace, { trace: { ...trace, extras: null }, waitingMessage: WAITING })).toContain('trace.extras is null');
  });
});
