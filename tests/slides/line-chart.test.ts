// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { lineChart } from '../../src/viz/line-chart';

const base = { width: 600, height: 300, xLabel: 'x', yLabel: 'y', yTickFormat: String, ariaLabel: 'chart' };

describe('lineChart', () => {
  it('draws a line, an area and dots for short series, and labels markers as text', () => {
    const chart = lineChart({
      ...base,
      xDomain: [0, 10],
      yDomain: [0, 5],
      series: [{ className: 's', points: [[0, 0], [5, 2], [10, 5]], area: true, attrs: { 'data-test': 'yes' } }],
      markers: [{ x: 5, label: '<b>mid</b>' }],
      dotsUpTo: 3,
    });
    expect(chart.querySelector('.chart-line.s')?.getAttribute('data-test')).toBe('yes');
    expect(chart.querySelectorAll('.chart-area.s')).toHaveLength(1);
    expect(chart.querySelectorAll('.chart-dot')).toHaveLength(3);
    expect(chart.querySelector('.chart-marker-label')?.textContent).toBe('<b>mid</b>');
    expect(chart.querySelector('b')).toBeNull();
  });

  it('survives empty series, non-finite points and a degenerate domain', () => {
    const chart = lineChart({ ...base, xDomain: [1, 1], yDomain: [0, 0], series: [{ className: 'e', points: [] }, { className: 'n', points: [[Number.NaN, 1], [1, Number.POSITIVE_INFINITY]] }] });
    expect(chart.querySelectorAll('.chart-line')).toHaveLength(0);
    expect(chart.innerHTML).not.toContain('NaN');
  });
});
