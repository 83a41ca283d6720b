// The soak's verdict (npm run soak): growth of each figure from the first sample to the last, judged
// against 10% for the deck's own figures, shown only for the page's whole heap and V8's optimised code in it.
import { describe, expect, it } from 'vitest';
import { soakGrowth, soakPassed, soakTable, type SoakSample } from '../../src/browser/soak-report';

const sample = (edit: number, change: Partial<SoakSample> = {}): SoakSample => ({
  edit,
  pageHeap: 8_000_000,
  pageOptimised: 1_000_000,
  optimisedFunctions: 300,
  pageRest: 7_000_000,
  pageObjects: 2_500_000,
  workerHeap: 7_000_000,
  domNodes: 15_000,
  listeners: 200,
  rendererMemory: 600_000_000,
  ...change,
});

describe('soakGrowth', () => {
  it('measures from the first sample to the last, whatever happens between', () => {
    const growth = soakGrowth([sample(50), sample(100, { domNodes: 40_000 }), sample(300, { domNodes: 16_000 })]);
    const nodes = growth.find((g) => g.metric === 'domNodes')!;
    expect(nodes).toEqual({ metric: 'domNodes', from: 15_000, to: 16_000, growth: 1_000 / 15_000, judged: true, ok: true });
    expect(soakPassed(growth)).toBe(true);
  });

  it('fails at 10% growth of a judged figure, not just over it', () => {
    const atLimit = soakGrowth([sample(50), sample(300, { listeners: 220 })]);
    expect(atLimit.find((g) => g.metric === 'listeners')).toMatchObject({ growth: 0.1, ok: false });
    expect(soakPassed(atLimit)).toBe(false);
    expect(soakPassed(soakGrowth([sample(50), sample(300, { listeners: 219 })]))).toBe(true);
    expect(soakPassed(soakGrowth([sample(50), sample(300, { pageRest: 7_700_000 })]))).toBe(false);
  });

  it('shows the whole page heap and its optimised code without judging them (V8 optimising more of the deck is not a leak), and judges the rest of the heap', () => {
    const growth = soakGrowth([sample(50), sample(300, { pageHeap: 9_000_000, pageOptimised: 2_000_000, optimisedFunctions: 500 })]);
    expect(growth.find((g) => g.metric === 'pageHeap')).toMatchObject({ growth: 0.125, judged: false, ok: true });
    expect(growth.find((g) => g.metric === 'pageOptimised')).toMatchObject({ growth: 1, judged: false, ok: true });
    expect(growth.find((g) => g.metric === 'pageRest')).toMatchObject({ growth: 0, judged: true, ok: true });
    expect(soakPassed(growth)).toBe(true);
  });

  it('does not judge a figure the browser did not report, nor a single sample', () => {
    expect(soakGrowth([sample(50, { workerHeap: null }), sample(300, { workerHeap: 9e9 })]).find((g) => g.metric === 'workerHeap')).toMatchObject({ growth: null, ok: true });
    expect(soakGrowth([sample(50)]).every((g) => g.growth === null)).toBe(true);
  });

  it('prints a row per sample and the growth line, judged failures marked', () => {
    const table = soakTable([sample(50), sample(300, { domNodes: 30_000, pageHeap: 9_000_000 })]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/edits\s+page JS heap/);
    expect(lines[1]).toMatch(/^\s*50\s+7\.6 MiB\s+1\.0 MiB\s+300\s+6\.7 MiB/);
    expect(lines[3]).toContain('(+12.5%)');
    expect(lines[3]).toContain('+100.0% ✗');
  });
});
