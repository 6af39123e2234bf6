/**
 * @module public/chart
 * The price chart: candles with volume underneath, a dashed price line per open order, and a
 * marker per fill. TradingView Lightweight Charts v5, served from the installed npm package.
 */
import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  LineStyle,
  createChart,
  createSeriesMarkers,
} from './vendor/lightweight-charts.mjs';

const UP = '#22c55e';
const DOWN = '#ef4444';
const UP_VOLUME = 'rgba(34, 197, 94, 0.35)';
const DOWN_VOLUME = 'rgba(239, 68, 68, 0.35)';
/** Fill markers kept on the chart; older ones scroll out of interest anyway. */
const MAX_MARKERS = 100;

/** Candle as the chart takes it (the wire sends decimal strings). */
function toBar(c) {
  return {
    time: Number(c.time),
    open: parseFloat(c.open),
    high: parseFloat(c.high),
    low: parseFloat(c.low),
    close: parseFloat(c.close),
  };
}

function toVolume(c) {
  const up = parseFloat(c.close) >= parseFloat(c.open);
  return { time: Number(c.time), value: parseFloat(c.volume), color: up ? UP_VOLUME : DOWN_VOLUME };
}

/**
 * Creates the chart in `container` (it follows the container's size).
 * @returns the chart's operations
 */
export function createPriceChart(container) {
  const chart = createChart(container, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: '#0f131c' },
      textColor: '#8b95a7',
      fontFamily: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", sans-serif',
    },
    grid: {
      vertLines: { color: 'rgba(148, 163, 184, 0.06)' },
      horzLines: { color: 'rgba(148, 163, 184, 0.06)' },
    },
    crosshair: { mode: CrosshairMode.Normal },
    rightPriceScale: { borderColor: '#1f2633' },
    timeScale: { borderColor: '#1f2633', timeVisible: true, secondsVisible: false, rightOffset: 5 },
  });
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: UP,
    downColor: DOWN,
    wickUpColor: UP,
    wickDownColor: DOWN,
    borderVisible: false,
  });
  const volume = chart.addSeries(HistogramSeries, {
    priceFormat: { type: 'volume' },
    priceScaleId: '',
    lastValueVisible: false,
    priceLineVisible: false,
  });
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  const markers = createSeriesMarkers(candles, []);
  /** Fill markers by trade id, so a fill reported twice is drawn once. */
  const fills = new Map();
  /** Price lines by order id. */
  const lines = new Map();
  let bars = 0;
  let lastTime = 0;

  function redrawMarkers() {
    const list = [...fills.values()].sort((a, b) => a.time - b.time);
    markers.setMarkers(list);
  }

  return {
    /** Replaces every candle (a connect or resync snapshot). */
    setHistory(list) {
      const sorted = [...list].sort((a, b) => Number(a.time) - Number(b.time));
      candles.setData(sorted.map(toBar));
      volume.setData(sorted.map(toVolume));
      bars = sorted.length;
      lastTime = sorted.length > 0 ? Number(sorted[sorted.length - 1].time) : 0;
      chart.timeScale().fitContent();
      redrawMarkers();
    },

    /** Updates the current candle or appends the next one; an older one is ignored. */
    updateCandle(c) {
      const time = Number(c.time);
      if (time < lastTime) return;
      if (time > lastTime) bars++;
      lastTime = time;
      candles.update(toBar(c));
      volume.update(toVolume(c));
    },

    /** Draws or moves the price line of an open order. */
    setOrderLine(key, order) {
      const price = parseFloat(order.price);
      const existing = lines.get(key);
      if (existing !== undefined) candles.removePriceLine(existing);
      // A market order has no price to draw
      if (!(price > 0)) return lines.delete(key);
      const buy = order.side === 'BUY';
      lines.set(
        key,
        candles.createPriceLine({
          price,
          color: buy ? UP : DOWN,
          lineWidth: 1,
          lineStyle: LineStyle.Dashed,
          axisLabelVisible: true,
          title: `${buy ? 'BUY' : 'SELL'} ${order.quantity ?? ''}`.trim(),
        }),
      );
    },

    removeOrderLine(key) {
      const line = lines.get(key);
      if (line === undefined) return;
      candles.removePriceLine(line);
      lines.delete(key);
    },

    /** Keys of the orders that have a line. */
    orderLineKeys() {
      return [...lines.keys()];
    },

    /**
     * Marks a fill on the candle it belongs to.
     * @param intervalSeconds candle length, to find that candle
     */
    addFill(fill, intervalSeconds) {
      const buy = fill.side === 'buy';
      const time = Number(fill.time) || Math.floor(Date.now() / 1000);
      fills.set(String(fill.id ?? `${fill.side}-${fill.price}-${time}`), {
        time: Math.floor(time / intervalSeconds) * intervalSeconds,
        position: buy ? 'belowBar' : 'aboveBar',
        shape: buy ? 'arrowUp' : 'arrowDown',
        color: buy ? UP : DOWN,
        text: `${buy ? 'B' : 'S'} ${fill.amount}`,
      });
      while (fills.size > MAX_MARKERS) fills.delete(fills.keys().next().value);
      redrawMarkers();
    },

    /** Removes every candle, line and marker (switching symbols). */
    reset() {
      for (const line of lines.values()) candles.removePriceLine(line);
      lines.clear();
      fills.clear();
      candles.setData([]);
      volume.setData([]);
      bars = 0;
      lastTime = 0;
      redrawMarkers();
    },

    /** What is drawn, for tests and the status line. */
    counts() {
      return { candles: bars, priceLines: lines.size, markers: markers.markers().length };
    },
  };
}
