// A small SVG line chart for live figures (messages/s, lag, CPU, risk degree): cheap to redraw at 2 Hz, no canvas.
export interface SparklineProps {
  values: readonly number[];
  width?: number;
  height?: number;
  /** Lower/upper bounds of the vertical scale; by default the data's own range (min 0). */
  min?: number;
  max?: number;
  /** Horizontal guide (a threshold), drawn dashed. */
  guide?: number;
  className?: string;
  label: string;
}

export function Sparkline({ values, width = 160, height = 32, min, max, guide, className, label }: SparklineProps) {
  const finite = values.filter((v) => Number.isFinite(v));
  const low = min ?? Math.min(0, ...finite);
  const high = Math.max(max ?? -Infinity, ...finite, guide ?? -Infinity, low + 1e-9);
  const x = (i: number) => (values.length <= 1 ? width : (i / (values.length - 1)) * width);
  const y = (v: number) => height - 2 - ((Math.min(high, Math.max(low, v)) - low) / (high - low)) * (height - 4);
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(Number.isFinite(v) ? v : high).toFixed(1)}`).join(' ');
  return (
    <svg
      className={`fw-spark ${className ?? ''}`}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
    >
      {guide !== undefined && (
        <line x1={0} x2={width} y1={y(guide)} y2={y(guide)} className="fw-spark-guide" strokeDasharray="3 3" />
      )}
      {values.length > 1 && (
        <>
          <polygon points={`0,${height} ${points} ${width},${height}`} className="fw-spark-area" />
          <polyline points={points} className="fw-spark-line" fill="none" />
        </>
      )}
    </svg>
  );
}

/** A fixed-length history of samples (oldest first). */
export function pushSample(history: readonly number[], value: number, keep = 120): number[] {
  const next = history.length >= keep ? history.slice(history.length - keep + 1) : history.slice();
  next.push(value);
  return next;
}
