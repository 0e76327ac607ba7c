// The case's price/volume chart (TradingView lightweight-charts v5): last price as a line with the best bid and ask
// thin around it, traded volume as a histogram in the bottom fifth, the client's orders as markers (buy below, sell
// above, cancels as circles), the moment the alert was raised (a large purple arrow with its label) and the prices of
// the alert's evidence orders as dashed price lines. The axis shows exactly the case window (fromTs–toTs, as the
// title) in Beijing time, the exchanges' time. `cursorTs` draws a marker where the depth ladder is.
import { useEffect, useRef } from 'react';
import {
  ColorType,
  HistogramSeries,
  LineSeries,
  LineStyle,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { CaseWindow } from '../../../shared/api/methods/cases';
import { EXCHANGE_TIME_ZONE } from '../../../shared/vocabulary';
import { formatTime } from '../format';
import type { Theme } from '../stores/settings';

interface Props {
  data: CaseWindow;
  theme: Theme;
  localeTag: string;
  decimals: number;
  upColor: string;
  downColor: string;
  cursorTs: number | null;
  /** The label of the alert-raised marker. */
  firedLabel: string;
  onReady?(): void;
}

const toTime = (ts: number) => Math.floor(ts / 1000) as UTCTimestamp;
/** The colour of the alert-raised marker (the legend uses the same). */
export const FIRED_COLOR = '#a855f7';

/** Per second: the last price/bid/ask and the summed volume (the chart needs one point per unique time). */
function perSecond(data: CaseWindow) {
  const last: { time: UTCTimestamp; value: number }[] = [];
  const bid: { time: UTCTimestamp; value: number }[] = [];
  const ask: { time: UTCTimestamp; value: number }[] = [];
  const volume: { time: UTCTimestamp; value: number; color?: string }[] = [];
  for (const point of data.series) {
    const time = toTime(point.ts);
    const same = last.length > 0 && last[last.length - 1]?.time === time;
    if (same) {
      last[last.length - 1] = { time, value: point.last };
      const v = volume[volume.length - 1];
      if (v) v.value += point.volume;
    } else {
      last.push({ time, value: point.last });
      volume.push({ time, value: point.volume });
    }
    if (point.bid !== null) {
      if (bid.length > 0 && bid[bid.length - 1]?.time === time) bid[bid.length - 1] = { time, value: point.bid };
      else bid.push({ time, value: point.bid });
    }
    if (point.ask !== null) {
      if (ask.length > 0 && ask[ask.length - 1]?.time === time) ask[ask.length - 1] = { time, value: point.ask };
      else ask.push({ time, value: point.ask });
    }
  }
  return { last, bid, ask, volume };
}

export function CaseChart({
  data,
  theme,
  localeTag,
  decimals,
  upColor,
  downColor,
  cursorTs,
  firedLabel,
  onReady,
}: Props) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<IChartApi | null>(null);
  const lastSeriesRef = useRef<ISeriesApi<'Line', Time> | null>(null);
  const markersRef = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  const baseMarkersRef = useRef<SeriesMarker<Time>[]>([]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const dark = theme === 'dark';
    const text = dark ? '#8a97a8' : '#4f5d6e';
    const grid = dark ? '#18212b' : '#eceff3';
    const chart = createChart(container, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: dark ? '#0e1319' : '#ffffff' },
        textColor: text,
        fontSize: 11,
        attributionLogo: false,
      },
      grid: { vertLines: { color: grid }, horzLines: { color: grid } },
      rightPriceScale: { borderColor: grid },
      timeScale: {
        borderColor: grid,
        timeVisible: true,
        secondsVisible: true,
        tickMarkFormatter: (time: number) => formatTime(time * 1000, localeTag, false, EXCHANGE_TIME_ZONE),
      },
      localization: {
        locale: localeTag,
        timeFormatter: (time: number) => formatTime(time * 1000, localeTag, false, EXCHANGE_TIME_ZONE),
        priceFormatter: (price: number) => price.toFixed(decimals),
      },
      crosshair: { mode: 0 },
    });
    chartRef.current = chart;
    const points = perSecond(data);
    const quoteLine = {
      lineWidth: 1 as const,
      priceLineVisible: false,
      lastValueVisible: false,
      crosshairMarkerVisible: false,
    };
    chart
      .addSeries(LineSeries, { ...quoteLine, color: dark ? 'rgba(255,77,94,0.35)' : 'rgba(220,38,38,0.35)' })
      .setData(points.ask);
    chart
      .addSeries(LineSeries, { ...quoteLine, color: dark ? 'rgba(31,199,126,0.35)' : 'rgba(22,163,74,0.35)' })
      .setData(points.bid);
    const lastSeries = chart.addSeries(LineSeries, {
      color: dark ? '#7aa9ff' : '#2563eb',
      lineWidth: 2,
      title: data.instrumentId ?? '',
    });
    lastSeries.setData(points.last);
    lastSeriesRef.current = lastSeries;
    const volumeSeries = chart.addSeries(HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
      color: dark ? 'rgba(122,169,255,0.35)' : 'rgba(37,99,235,0.3)',
      lastValueVisible: false,
      priceLineVisible: false,
    });
    volumeSeries.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    volumeSeries.setData(points.volume);

    // The client's orders: markers (sorted by time, as the plugin requires).
    const evidence = new Set(data.alert.evidence);
    const markers: SeriesMarker<Time>[] = data.orders
      .filter((o) => o.event !== 'reject')
      .map((o) => ({
        time: toTime(o.ts),
        position: o.side === 'buy' ? ('belowBar' as const) : ('aboveBar' as const),
        shape:
          o.event === 'cancel' ? ('circle' as const) : o.side === 'buy' ? ('arrowUp' as const) : ('arrowDown' as const),
        color: o.event === 'cancel' ? (dark ? '#f0b429' : '#b7791f') : o.side === 'buy' ? upColor : downColor,
        size: evidence.has(o.seq) ? 1.4 : 0.8,
        id: String(o.seq),
      }))
      .sort((a, b) => (a.time as number) - (b.time as number));
    if (data.firedTs !== null) {
      markers.push({
        time: toTime(data.firedTs),
        position: 'aboveBar',
        shape: 'arrowDown',
        color: FIRED_COLOR,
        size: 2,
        text: firedLabel,
        id: 'fired',
      });
      markers.sort((a, b) => (a.time as number) - (b.time as number));
    }
    baseMarkersRef.current = markers;
    markersRef.current = createSeriesMarkers(lastSeries, markers);

    // Prices of the evidence orders, a few distinct ones, as dashed lines.
    const prices = [
      ...new Set(data.orders.filter((o) => evidence.has(o.seq) && o.event === 'new').map((o) => o.price)),
    ];
    for (const price of prices.slice(0, 6)) {
      lastSeries.createPriceLine({
        price,
        color: dark ? '#f0b429' : '#b7791f',
        lineWidth: 1,
        lineStyle: LineStyle.Dashed,
        axisLabelVisible: true,
        title: '',
      });
    }
    // The axis spans the case window exactly (the title's range), not just the points inside it.
    chart.timeScale().fitContent();
    if (points.last.length > 0 && data.toTs > data.fromTs) {
      try {
        chart.timeScale().setVisibleRange({ from: toTime(data.fromTs), to: toTime(data.toTs) });
      } catch {
        // no data in range: fitContent stays
      }
    }
    onReady?.();
    return () => {
      markersRef.current = null;
      lastSeriesRef.current = null;
      chartRef.current = null;
      chart.remove();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- rebuilt when the data or the look changes, not per render
  }, [data, theme, localeTag, decimals, upColor, downColor, firedLabel]);

  // Where the depth ladder is: one extra marker at its time.
  useEffect(() => {
    const plugin = markersRef.current;
    if (!plugin) return;
    if (cursorTs === null) {
      plugin.setMarkers(baseMarkersRef.current);
      return;
    }
    const cursor: SeriesMarker<Time> = {
      time: toTime(cursorTs),
      position: 'inBar',
      shape: 'square',
      color: theme === 'dark' ? '#ffffff' : '#111827',
      size: 0.6,
      id: 'cursor',
    };
    plugin.setMarkers([...baseMarkersRef.current, cursor].sort((a, b) => (a.time as number) - (b.time as number)));
  }, [cursorTs, theme]);

  return (
    <div
      className="fw-chart"
      ref={containerRef}
      data-testid="case-chart"
      data-fired-ts={data.firedTs ?? undefined}
      data-axis-from={data.fromTs}
      data-axis-to={data.toTs}
    />
  );
}
