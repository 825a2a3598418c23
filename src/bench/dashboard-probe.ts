/**
 * What the dashboard benchmark measures inside the page: every animation frame's interval and every long task
 * (PerformanceObserver `longtask`, main-thread work over 50 ms), kept with their timestamps so a phase's share
 * can be cut out afterwards, and the JS heap as Chromium's DevTools protocol reports it.
 */
import type { CDPSession, Page } from "playwright-core";

/**
 * Installed before the page's own scripts: a requestAnimationFrame loop recording [time, interval] pairs and a
 * long-task observer recording [start, duration] pairs, both in the page's performance.now() milliseconds.
 */
export const probeScript = `(() => {
  const probe = { frames: [], longTasks: [] };
  Object.defineProperty(window, "__dashboardProbe", { value: probe });
  let last = 0;
  const loop = (t) => { if (last > 0) probe.frames.push([t, t - last]); last = t; requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  new PerformanceObserver((list) => { for (const e of list.getEntries()) probe.longTasks.push([e.startTime, e.duration]); })
    .observe({ type: "longtask", buffered: true });
})()`;

/** Frame and long-task figures of one stretch of time. */
export interface FrameStats {
  seconds: number;
  frames: number;
  /** Frame interval percentiles and maximum, ms. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Frames longer than 50 ms (a visible stutter at 60 Hz). */
  over50: number;
  longTasks: number;
  longTaskMs: number;
  longestTaskMs: number;
}

/** The page's clock now (performance.now(), ms since navigation). */
export async function pageNow(page: Page): Promise<number> {
  return Number(await page.evaluate("performance.now()"));
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const round = (v: number): number => Math.round(v * 10) / 10;

/** Frame intervals and long tasks between page times `from` and `to`. */
export async function frameStats(page: Page, from: number, to: number): Promise<FrameStats> {
  const raw = await page.evaluate(`(() => {
    const p = window.__dashboardProbe;
    return { frames: p.frames.filter(([t]) => t >= ${from} && t <= ${to}).map(([, d]) => d),
      longTasks: p.longTasks.filter(([t]) => t >= ${from} && t <= ${to}).map(([, d]) => d) };
  })()`) as { frames: number[]; longTasks: number[] };
  const frames = [...raw.frames].sort((a, b) => a - b);
  return {
    seconds: round((to - from) / 1000), frames: frames.length,
    p50: round(percentile(frames, 50)), p95: round(percentile(frames, 95)), p99: round(percentile(frames, 99)), max: round(frames.at(-1) ?? 0),
    over50: frames.filter((d) => d > 50).length,
    longTasks: raw.longTasks.length, longTaskMs: Math.round(raw.longTasks.reduce((s, d) => s + d, 0)), longestTaskMs: Math.round(Math.max(0, ...raw.longTasks)),
  };
}

/** Main-thread time (ms) the page spent in tasks, scripts, style and layout, as DevTools' Performance domain counts it. */
export interface MainThreadTimes {
  task: number;
  script: number;
  style: number;
  layout: number;
}

/** A DevTools session on the page with its Performance domain on: the times count from `open`. */
export async function openPerformance(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  return cdp;
}

/** The page's main-thread times so far on `cdp` (from openPerformance; subtract two readings for a phase). */
export async function mainThreadTimes(cdp: CDPSession): Promise<MainThreadTimes> {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const ms = (name: string): number => Math.round((metrics.find((m) => m.name === name)?.value ?? 0) * 1000);
  return { task: ms("TaskDuration"), script: ms("ScriptDuration"), style: ms("RecalcStyleDuration"), layout: ms("LayoutDuration") };
}

/** The page's JS heap in use (bytes), after a garbage collection, from the DevTools protocol. */
export async function jsHeapBytes(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("HeapProfiler.collectGarbage");
    await cdp.send("Performance.enable");
    const { metrics } = await cdp.send("Performance.getMetrics");
    return metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0;
  } finally {
    await cdp.detach();
  }
}

/** Resolves with the page time at which `condition` (a JS expression) first holds, checked every frame. */
export async function pageTimeWhen(page: Page, condition: string, timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction(`(${condition}) ? performance.now() : false`, undefined, { polling: "raf", timeout: timeoutMs });
  return Number(await handle.jsonValue());
}
