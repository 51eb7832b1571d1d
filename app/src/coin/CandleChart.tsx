import { useEffect, useRef } from "react";
import type { CandleData } from "./queries";

const WEI = 1e18;

/** Candles and volume with TradingView's lightweight-charts (loaded with the coin page only). */
export default function CandleChart({ candles, label }: { candles: CandleData[]; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    void import("lightweight-charts").then(
      ({ createChart, CandlestickSeries, HistogramSeries, ColorType }) => {
        if (disposed || !container.current) return;
        const chart = createChart(container.current, {
          autoSize: true,
          localization: { locale: "en-US" },
          layout: { background: { type: ColorType.Solid, color: "#0b1220" }, textColor: "#cbd5e1" },
          grid: { vertLines: { color: "#1e293b" }, horzLines: { color: "#1e293b" } },
          timeScale: { timeVisible: true, secondsVisible: false },
          rightPriceScale: { scaleMargins: { top: 0.1, bottom: 0.25 } },
        });
        const price = chart.addSeries(CandlestickSeries, {
          upColor: "#22c55e",
          downColor: "#f87171",
          borderVisible: false,
          wickUpColor: "#22c55e",
          wickDownColor: "#f87171",
          priceFormat: { type: "price", precision: 8, minMove: 1e-8 },
        });
        const volume = chart.addSeries(HistogramSeries, {
          priceScaleId: "volume",
          color: "#6366f1",
          priceFormat: { type: "volume" },
        });
        chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
        price.setData(
          candles.map((c) => ({
            time: Number(c.start) as never,
            open: Number(c.open) / WEI,
            high: Number(c.high) / WEI,
            low: Number(c.low) / WEI,
            close: Number(c.close) / WEI,
          })),
        );
        volume.setData(
          candles.map((c) => ({ time: Number(c.start) as never, value: Number(c.volume) / WEI })),
        );
        chart.timeScale().fitContent();
        cleanup = () => chart.remove();
      },
    );
    return () => {
      disposed = true;
      cleanup();
    };
  }, [candles]);
  return <div className="chart" ref={container} role="img" aria-label={label} />;
}
