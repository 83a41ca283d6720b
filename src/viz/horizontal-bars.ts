// Horizontal bars (HTML grid): label | bar | value. Bar lengths share one linear scale.
import { scaleLinear } from 'd3-scale';
import { html } from './dom';
import './horizontal-bars.css';

export interface BarRow {
  label: Node;
  value: number;
  /** The value as the audience reads it, e.g. "23.4%". */
  valueText: string;
  className?: string;
  /** Test hooks and hover text for the row. */
  attrs?: Record<string, string>;
}

/** Bars are scaled to the largest value shown (labels carry the true values), so small ones stay visible. */
export function horizontalBars(rows: BarRow[]): HTMLDivElement {
  const largest = Math.max(0, ...rows.map((row) => (Number.isFinite(row.value) ? row.value : 0)));
  const length = scaleLinear()
    .domain([0, largest > 0 ? largest : 1])
    .range([0, 100])
    .clamp(true);
  const chart = html('div', { className: 'bar-chart' });
  for (const row of rows) {
    const bar = html('div', { className: 'bar-fill' });
    bar.style.width = `${length(Number.isFinite(row.value) ? row.value : 0)}%`;
    const line = html('div', { className: `bar-row ${row.className ?? ''}`.trim(), attrs: row.attrs }, [
      html('div', { className: 'bar-label' }, [row.label]),
      html('div', { className: 'bar-track' }, [bar]),
      html('div', { className: 'bar-value', text: row.valueText }),
    ]);
    chart.append(line);
  }
  return chart;
}
