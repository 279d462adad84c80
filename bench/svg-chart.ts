/** One bar of a chart. */
export interface Bar {
  label: string;
  value: number;
  /** A second line under the label, e.g. "baseline". */
  note?: string;
  /** Fill colour. @default a palette colour by position */
  color?: string;
  /** This bar's own goal, drawn as a short dashed line across its slot. */
  goal?: number;
}

/** A bar chart with one value axis and an optional dashed reference line (a goal). */
export interface BarChart {
  title: string;
  subtitle?: string;
  /** Unit of the value axis, e.g. "targets/s" or "MiB". */
  unit: string;
  bars: Bar[];
  reference?: { value: number; label: string };
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948'];
const WIDTH = 640;
const HEIGHT = 400;
const PLOT = { left: 72, right: 24, top: 72, bottom: 72 };

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Renders a self-contained SVG document (no scripts, no external fonts or files). */
export function barChartSvg(chart: BarChart): string {
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const top = Math.max(
    ...chart.bars.map((b) => Math.max(b.value, b.goal ?? 0)),
    chart.reference?.value ?? 0,
    0,
  );
  const step = niceStep(top / 5);
  const axisMax = Math.max(step, Math.ceil((top * 1.1) / step) * step);
  const y = (v: number) => PLOT.top + plotHeight - (v / axisMax) * plotHeight;
  const out: string[] = [];
  const text = (x: number, yy: number, s: string, attrs = '') =>
    out.push(`<text x="${x.toFixed(1)}" y="${yy.toFixed(1)}" ${attrs}>${escapeXml(s)}</text>`);

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
  );
  text(WIDTH / 2, 26, chart.title, 'text-anchor="middle" font-size="16" font-weight="600"');
  if (chart.subtitle) text(WIDTH / 2, 46, chart.subtitle, 'text-anchor="middle" fill="#555555"');

  for (let v = 0; v <= axisMax + step / 2; v += step) {
    const yy = y(v);
    out.push(
      `<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}" stroke="#e5e5e5"/>`,
    );
    const tick = step >= 1 ? Math.round(v).toLocaleString('en-US') : formatNumber(v);
    text(PLOT.left - 8, yy + 4, tick, 'text-anchor="end" fill="#555555"');
  }
  text(
    18,
    PLOT.top + plotHeight / 2,
    chart.unit,
    `text-anchor="middle" fill="#555555" transform="rotate(-90 18 ${(PLOT.top + plotHeight / 2).toFixed(1)})"`,
  );

  const slot = plotWidth / Math.max(1, chart.bars.length);
  const barWidth = Math.min(120, slot * 0.6);
  chart.bars.forEach((bar, i) => {
    const x = PLOT.left + slot * i + (slot - barWidth) / 2;
    const yy = y(Math.max(0, bar.value));
    const color = bar.color ?? PALETTE[i % PALETTE.length];
    out.push(
      `<rect x="${x.toFixed(1)}" y="${yy.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(PLOT.top + plotHeight - yy).toFixed(1)}" fill="${color}"><title>${escapeXml(`${bar.label}: ${formatNumber(bar.value)} ${chart.unit}`)}</title></rect>`,
    );
    const cx = x + barWidth / 2;
    text(cx, yy - 6, formatNumber(bar.value), 'text-anchor="middle" font-weight="600"');
    text(cx, PLOT.top + plotHeight + 20, bar.label, 'text-anchor="middle"');
    if (bar.note) text(cx, PLOT.top + plotHeight + 36, bar.note, 'text-anchor="middle" fill="#555555"');
    if (bar.goal !== undefined) {
      const gy = y(bar.goal);
      out.push(
        `<line x1="${(x - 8).toFixed(1)}" x2="${(x + barWidth + 8).toFixed(1)}" y1="${gy.toFixed(1)}" y2="${gy.toFixed(1)}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="6 4"><title>${escapeXml(`goal: ${formatNumber(bar.goal)} ${chart.unit}`)}</title></line>`,
      );
    }
  });

  out.push(
    `<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#333333"/>`,
  );
  if (chart.reference) {
    const yy = y(chart.reference.value);
    out.push(
      `<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    );
    text(WIDTH - PLOT.right, yy - 6, chart.reference.label, 'text-anchor="end" fill="#d62728"');
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
