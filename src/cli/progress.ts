/**
 * Progress of a long command for a human: on a terminal, one status line redrawn in place (with a bar when the
 * total is known); elsewhere (pipes, CI logs) a plain line at most every `intervalMs`, or nothing when quiet.
 */

/** Where progress goes: a writable text stream that may be a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of a Progress. */
export interface ProgressOptions {
  /** Minimum time between plain lines when not on a terminal (default 5 s). */
  intervalMs?: number;
  /** Print nothing unless on a terminal (for CI); `finish` lines are still printed. */
  quietUnlessTty?: boolean;
  /** Time source in ms (default Date.now). */
  now?: () => number;
}

/** Renders `done/total` as a bar of `width` cells. */
export function progressBar(done: number, total: number, width: number): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const full = Math.round(fraction * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}]`;
}

/** A status line that updates in place on a terminal and is throttled elsewhere. */
export class Progress {
  private lastLine = 0;
  private drawn = false;
  private readonly now: () => number;

  /** Reports to `stream`. */
  constructor(private readonly stream: ProgressStream, private readonly options: ProgressOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Shows `message` with `done` of `total` (a bar on a terminal). */
  update(message: string, done?: number, total?: number): void {
    if (this.stream.isTTY) {
      const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - message.length - 20));
      const bar = done !== undefined && total !== undefined ? `${progressBar(done, total, width)} ${done}/${total} ` : "";
      this.stream.write(`\r\x1b[K${bar}${message}`);
      this.drawn = true;
      return;
    }
    if (this.options.quietUnlessTty) return;
    const t = this.now();
    if (this.lastLine !== 0 && t - this.lastLine < (this.options.intervalMs ?? 5000)) return;
    this.lastLine = t;
    this.stream.write(`${done !== undefined && total !== undefined ? `${done}/${total} ` : ""}${message}\n`);
  }

  /** Clears the status line (on a terminal) and prints `line`, if given, for good. */
  finish(line?: string): void {
    if (this.drawn) this.stream.write("\r\x1b[K");
    this.drawn = false;
    if (line !== undefined) this.stream.write(`${line}\n`);
  }
}
