import { svg } from './dom';

/**
 * Small SVG charts built with DOM calls (no inline styles: colours come from classes in the
 * stylesheets, so the CSP needs no 'unsafe-inline'). Each chart has a text alternative.
 */

export function sparkline(values: readonly number[], options: { label: string; width?: number; height?: number }): SVGSVGElement {
  const width = options.width ?? 160;
  const height = options.height ?? 40;
  const pad = 4;
  const chart = svg(
    'svg',
    { class: 'sparkline', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': options.label, focusable: 'false' },
    svg('title', {}, options.label),
  );
  if (values.length === 0) return chart;
  const x = (i: number) => (values.length === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (values.length - 1));
  const y = (v: number) => height - pad - Math.max(0, Math.min(1, v)) * (height - 2 * pad);
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  chart.append(svg('line', { class: 'axis', x1: pad, x2: width - pad, y1: y(0.5), y2: y(0.5) }));
  chart.append(svg('polyline', { class: 'line', points, fill: 'none' }));
  const last = values[values.length - 1] as number;
  chart.append(svg('circle', { class: 'dot', cx: x(values.length - 1), cy: y(last), r: 3 }));
  return chart;
}

export interface CalibrationPoint {
  meanPredicted: number;
  observedRate: number;
  count: number;
}

/** Reliability diagram: predicted vs observed churn per bin, with the diagonal of perfect calibration. */
export function calibrationChart(bins: readonly CalibrationPoint[], text: { label: string; x: string; y: string }): SVGSVGElement {
  const size = 270;
  const pad = 44;
  const inner = size - 2 * pad;
  const px = (v: number) => pad + v * inner;
  const py = (v: number) => size - pad - v * inner;
  const chart = svg(
    'svg',
    { class: 'chart calibration', viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img', 'aria-label': text.label },
    svg('title', {}, text.label),
  );
  chart.append(svg('rect', { class: 'frame', x: pad, y: pad, width: inner, height: inner, fill: 'none' }));
  chart.append(svg('line', { class: 'diagonal', x1: px(0), y1: py(0), x2: px(1), y2: py(1) }));
  for (const tick of [0, 0.5, 1]) {
    chart.append(svg('text', { class: 'tick', x: px(tick), y: size - pad + 14, 'text-anchor': 'middle' }, `${tick * 100}%`));
    chart.append(svg('text', { class: 'tick', x: pad - 6, y: py(tick) + 4, 'text-anchor': 'end' }, `${tick * 100}%`));
  }
  chart.append(svg('text', { class: 'axis-label', x: size / 2, y: size - 4, 'text-anchor': 'middle' }, text.x));
  chart.append(
    svg('text', { class: 'axis-label', x: 10, y: size / 2, 'text-anchor': 'middle', transform: `rotate(-90 10 ${size / 2})` }, text.y),
  );
  const used = bins.filter((b) => b.count > 0 && Number.isFinite(b.meanPredicted) && Number.isFinite(b.observedRate));
  if (used.length > 1)
    chart.append(
      svg('polyline', {
        class: 'line',
        fill: 'none',
        points: used.map((b) => `${px(b.meanPredicted).toFixed(1)},${py(b.observedRate).toFixed(1)}`).join(' '),
      }),
    );
  for (const b of used) {
    chart.append(
      svg(
        'circle',
        { class: 'dot', cx: px(b.meanPredicted), cy: py(b.observedRate), r: 3 + Math.min(4, Math.log10(1 + b.count)) },
        svg('title', {}, `${Math.round(b.meanPredicted * 100)}% → ${Math.round(b.observedRate * 100)}% (n=${b.count})`),
      ),
    );
  }
  return chart;
}

export interface LiftPoint {
  decile: number;
  lift: number;
}

/** Lift by risk decile (1 = riskiest tenth): churn rate in the decile over the overall rate. */
export function liftChart(deciles: readonly LiftPoint[], text: { label: string; x: string; y: string }): SVGSVGElement {
  const width = 340;
  const height = 220;
  const pad = 36;
  const max = Math.max(1, ...deciles.map((d) => d.lift));
  const barWidth = (width - 2 * pad) / Math.max(1, deciles.length);
  const py = (v: number) => height - pad - (v / max) * (height - 2 * pad);
  const chart = svg(
    'svg',
    { class: 'chart lift', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': text.label },
    svg('title', {}, text.label),
  );
  chart.append(svg('line', { class: 'baseline', x1: pad, x2: width - pad, y1: py(1), y2: py(1) }));
  chart.append(svg('text', { class: 'tick', x: pad - 6, y: py(1) + 4, 'text-anchor': 'end' }, '1×'));
  chart.append(svg('text', { class: 'tick', x: pad - 6, y: py(max) + 4, 'text-anchor': 'end' }, `${max.toFixed(1)}×`));
  deciles.forEach((d, i) => {
    const x = pad + i * barWidth + 2;
    chart.append(
      svg(
        'rect',
        { class: 'bar', x, y: py(d.lift), width: Math.max(1, barWidth - 4), height: Math.max(0, height - pad - py(d.lift)) },
        svg('title', {}, `${d.decile}: ${d.lift.toFixed(2)}×`),
      ),
    );
    chart.append(
      svg('text', { class: 'tick', x: x + (barWidth - 4) / 2, y: height - pad + 14, 'text-anchor': 'middle' }, String(d.decile)),
    );
  });
  chart.append(svg('text', { class: 'axis-label', x: width / 2, y: height - 4, 'text-anchor': 'middle' }, text.x));
  chart.append(
    svg('text', { class: 'axis-label', x: 10, y: height / 2, 'text-anchor': 'middle', transform: `rotate(-90 10 ${height / 2})` }, text.y),
  );
  return chart;
}

export interface BarPoint {
  label: string;
  value: number;
  /** An 80% range drawn as a whisker over the bar. */
  low?: number;
  high?: number;
  /** A second value drawn as a thin outline behind the bar (e.g. ARR due behind ARR expected to renew). */
  outline?: number;
}

/** Bars with optional range whiskers and outlines; each bar's title carries its figures. */
export function barChart(
  points: readonly BarPoint[],
  text: { label: string; x: string; y: string; format: (v: number) => string },
): SVGSVGElement {
  const width = 420;
  const height = 230;
  const pad = 56;
  const max = Math.max(1, ...points.flatMap((p) => [p.value, p.high ?? 0, p.outline ?? 0]));
  const barWidth = (width - 2 * pad) / Math.max(1, points.length);
  const py = (v: number) => height - pad + 16 - (v / max) * (height - pad - 16);
  const chart = svg(
    'svg',
    { class: 'chart bars', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': text.label },
    svg('title', {}, text.label),
  );
  chart.append(svg('text', { class: 'tick', x: pad - 6, y: py(max) + 4, 'text-anchor': 'end' }, text.format(max)));
  chart.append(svg('text', { class: 'tick', x: pad - 6, y: py(0) + 4, 'text-anchor': 'end' }, text.format(0)));
  points.forEach((p, i) => {
    const x = pad + i * barWidth + 4;
    const w = Math.max(1, barWidth - 8);
    const range = p.low !== undefined && p.high !== undefined ? ` (${text.format(p.low)} – ${text.format(p.high)})` : '';
    if (p.outline !== undefined)
      chart.append(
        svg('rect', { class: 'bar-outline', x, y: py(p.outline), width: w, height: Math.max(0, py(0) - py(p.outline)), fill: 'none' }),
      );
    chart.append(
      svg(
        'rect',
        { class: 'bar', x, y: py(p.value), width: w, height: Math.max(0, py(0) - py(p.value)) },
        svg('title', {}, `${p.label}: ${text.format(p.value)}${range}`),
      ),
    );
    if (p.low !== undefined && p.high !== undefined) {
      const cx = x + w / 2;
      chart.append(svg('line', { class: 'whisker', x1: cx, x2: cx, y1: py(p.low), y2: py(p.high) }));
      for (const v of [p.low, p.high]) chart.append(svg('line', { class: 'whisker', x1: cx - 5, x2: cx + 5, y1: py(v), y2: py(v) }));
    }
    chart.append(svg('text', { class: 'tick', x: x + w / 2, y: height - pad + 30, 'text-anchor': 'middle' }, p.label));
  });
  chart.append(svg('text', { class: 'axis-label', x: width / 2, y: height - 4, 'text-anchor': 'middle' }, text.x));
  chart.append(
    svg('text', { class: 'axis-label', x: 12, y: height / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${height / 2})` }, text.y),
  );
  return chart;
}
