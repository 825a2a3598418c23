/** Reading CRI container log files as `kubectl logs` asks: tail, since, timestamps, limitBytes and follow. */
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";

/** What the caller asks for (the query of `pods/log`). */
export interface LogQuery {
  follow: boolean;
  tailLines?: number;
  /** Only lines at or after this time (epoch ms). */
  sinceMs?: number;
  timestamps: boolean;
  limitBytes?: number;
}

/** One parsed log line. */
export interface LogLine { time: string; ms: number; stream: string; partial: boolean; text: string }

/** Parses `<RFC3339Nano> <stream> <P|F> <text>`; undefined for anything else. */
export function parseLogLine(line: string): LogLine | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF]) (.*)$/s.exec(line);
  if (!m) return undefined;
  const time = m[1] ?? "";
  return { time, ms: Date.parse(time), stream: m[2] ?? "", partial: m[3] === "P", text: m[4] ?? "" };
}

/** The files of instance `attempt` of a container, oldest first (rotated ones, then the live file). */
export async function instanceLogFiles(containerDir: string, attempt: number): Promise<string[]> {
  let names: string[];
  try { names = await readdir(containerDir); } catch { return []; }
  const base = `${attempt}.log`;
  const rotated = names.filter((n) => n.startsWith(`${base}.`)).sort();
  return [...rotated, ...(names.includes(base) ? [base] : [])].map((n) => join(containerDir, n));
}

/** Formats the lines kept after tail and since, joining partial lines, as kubectl prints them. */
function format(lines: readonly LogLine[], q: LogQuery): string[] {
  const out: string[] = [];
  let pending = "";
  let firstTime = "";
  for (const l of lines) {
    if (!pending) firstTime = l.time;
    pending += l.text;
    if (l.partial) continue;
    const ms = Date.parse(firstTime);
    if (q.sinceMs === undefined || ms >= q.sinceMs) out.push(`${q.timestamps ? `${firstTime} ` : ""}${pending}\n`);
    pending = "";
  }
  return out;
}

/**
 * Writes the log of one container instance to `write` and, with follow, keeps writing what is appended until
 * `finished()` holds and nothing is left, or `signal` aborts. Resolves when done.
 */
export async function streamLog(files: readonly string[], q: LogQuery, write: (chunk: string) => void, finished: () => boolean, signal: AbortSignal, pollMs = 250): Promise<void> {
  let budget = q.limitBytes ?? Infinity;
  const emit = (text: string): boolean => {
    if (budget <= 0) return false;
    const chunk = Buffer.byteLength(text) > budget ? Buffer.from(text).subarray(0, budget).toString() : text;
    budget -= Buffer.byteLength(chunk);
    write(chunk);
    return budget > 0;
  };
  const lines: LogLine[] = [];
  let live = "";
  let offset = 0;
  let rest = "";
  for (const f of files) {
    const text = await readAll(f);
    live = f;
    offset = Buffer.byteLength(text);
    const parts = text.split("\n");
    rest = parts.pop() ?? "";
    for (const p of parts) { const l = parseLogLine(p); if (l) lines.push(l); }
  }
  let formatted = format(lines, q);
  if (q.tailLines !== undefined) formatted = q.tailLines === 0 ? [] : formatted.slice(-q.tailLines);
  for (const s of formatted) if (!emit(s)) return;
  if (!q.follow || !live) return;
  const tailQuery = { ...q, tailLines: undefined };
  while (!signal.aborted) {
    const done = finished();
    const fh = await open(live, "r").catch(() => undefined);
    if (fh) {
      try {
        const { size } = await fh.stat();
        if (size < offset) offset = 0;
        if (size > offset) {
          const buf = Buffer.alloc(size - offset);
          await fh.read(buf, 0, buf.length, offset);
          offset = size;
          const parts = (rest + buf.toString("utf8")).split("\n");
          rest = parts.pop() ?? "";
          for (const s of format(parts.map(parseLogLine).filter((l): l is LogLine => l !== undefined), tailQuery)) if (!emit(s)) return;
          continue;
        }
      } finally {
        await fh.close();
      }
    }
    if (done) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, pollMs);
      signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
    });
  }
}

async function readAll(path: string): Promise<string> {
  const fh = await open(path, "r").catch(() => undefined);
  if (!fh) return "";
  try { return (await fh.readFile()).toString("utf8"); } finally { await fh.close(); }
}
