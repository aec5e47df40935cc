// Charts are drawn by Chart.js, bundled into the console's script (nothing is fetched from a CDN).
// Every chart comes with the same figures as a table, for screen readers and for copying.
import { Chart, BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip } from 'chart.js';
import { h, table } from './ui.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

const palette = ['#1d4ed8', '#15803d', '#b45309', '#b91c1c', '#6d28d9', '#0e7490', '#be185d', '#4d7c0f'];

/**
 * A chart and its table. `series` is [{ label, data, type?, axis?, color? }] over `labels`;
 * a series on axis 'percent' is drawn against 0–100 %.
 */
export function chart(title, labels, series, { stacked = false, id } = {}) {
  const canvas = h('canvas', { role: 'img', 'aria-label': `${title} (the table below has the same figures)` });
  const hasPercent = series.some(s => s.axis === 'percent');
  const instance = new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.data,
        type: s.type ?? 'bar',
        yAxisID: s.axis === 'percent' ? 'percent' : 'y',
        backgroundColor: s.color ?? palette[i % palette.length],
        borderColor: s.color ?? palette[i % palette.length],
        pointRadius: s.type === 'line' ? 2 : undefined,
        spanGaps: true,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 12 } },
        y: { stacked, beginAtZero: true, ticks: { precision: 0 }, display: series.some(s => s.axis !== 'percent') },
        ...(hasPercent ? { percent: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, ticks: { callback: v => `${v} %` } } } : {}),
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  const rows = labels.map((label, i) => [label, ...series.map(s => format(s.data[i], s.axis === 'percent'))]);
  return {
    node: h('figure', { class: 'chart', id },
      h('figcaption', {}, title),
      h('div', { class: 'canvas-box' }, canvas),
      h('details', {}, h('summary', {}, 'Table view'), table(title, ['', ...series.map(s => s.label)], rows))),
    destroy: () => instance.destroy(),
  };
}

function format(value, percent) {
  if (value === null || value === undefined) return '—';
  return percent ? `${Number(value).toFixed(1)} %` : String(value);
}
