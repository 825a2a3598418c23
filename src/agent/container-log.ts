/**
 * Per-container log files in the kubelet's CRI format (`<RFC3339Nano> <stdout|stderr> <F|P> <text>`), one file per
 * instance (`<restartCount>.log`) under DATA/logs/<ns>_<pod>_<uid>/<container>/, rotated past a size limit.
 */
import { appendFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

/** Rotation limits (upstream containerLogMaxSize 10Mi, containerLogMaxFiles 5). */
export interface LogLimits { maxBytes: number; maxFiles: number }

/** The default rotation limits. */
export const defaultLogLimits: LogLimits = { maxBytes: 10 * 1024 * 1024, maxFiles: 5 };

/** Longest line part written at once; longer lines are split into `P` parts. */
const maxLinePart = 16 * 1024;

/** The directory of one pod's logs. */
export function podLogDir(root: string, namespace: string, name: string, uid: string): string {
  return join(root, `${namespace}_${name}_${uid}`);
}

/** RFC 3339 with nine fractional digits of epoch ms `ms`. */
export function nanoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

function rotationSuffix(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace("T", "-").replace(/\.\d+Z$/, "");
}

/** Writes the output of one container instance to its log file, line by line. */
export class ContainerLogWriter {
  private readonly pending = { stdout: "", stderr: "" };
  private size = 0;
  readonly path: string;

  /** Opens (appending to) `<dir>/<attempt>.log`. */
  constructor(private readonly dir: string, attempt: number, private readonly limits: LogLimits = defaultLogLimits, private readonly now: () => number = Date.now) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${attempt}.log`);
    try { this.size = statSync(this.path).size; } catch { this.size = 0; }
  }

  /** Appends output; complete lines are written at once, a trailing partial line waits for its end. */
  write(stream: "stdout" | "stderr", chunk: Buffer): void {
    let text = this.pending[stream] + chunk.toString("utf8");
    let out = "";
    const ts = nanoTime(this.now());
    let nl: number;
    while ((nl = text.indexOf("\n")) >= 0) {
      out += this.lines(ts, stream, text.slice(0, nl));
      text = text.slice(nl + 1);
    }
    while (text.length > maxLinePart) {
      out += `${ts} ${stream} P ${text.slice(0, maxLinePart)}\n`;
      text = text.slice(maxLinePart);
    }
    this.pending[stream] = text;
    if (out) this.append(out);
  }

  /** Writes what is left of unterminated lines. */
  flush(): void {
    const ts = nanoTime(this.now());
    let out = "";
    for (const stream of ["stdout", "stderr"] as const) {
      if (this.pending[stream]) out += `${ts} ${stream} F ${this.pending[stream]}\n`;
      this.pending[stream] = "";
    }
    if (out) this.append(out);
  }

  private lines(ts: string, stream: string, line: string): string {
    let out = "";
    while (line.length > maxLinePart) {
      out += `${ts} ${stream} P ${line.slice(0, maxLinePart)}\n`;
      line = line.slice(maxLinePart);
    }
    return `${out}${ts} ${stream} F ${line}\n`;
  }

  private append(text: string): void {
    if (this.size + text.length > this.limits.maxBytes && this.size > 0) this.rotate();
    appendFileSync(this.path, text);
    this.size += Buffer.byteLength(text);
  }

  private rotate(): void {
    renameSync(this.path, `${this.path}.${rotationSuffix(this.now())}`);
    this.size = 0;
    const base = this.path.slice(this.dir.length + 1);
    const rotated = readdirSync(this.dir).filter((f) => f.startsWith(`${base}.`)).sort();
    // The live file counts towards maxFiles.
    for (const old of rotated.slice(0, Math.max(0, rotated.length - (this.limits.maxFiles - 1)))) rmSync(join(this.dir, old), { force: true });
  }
}
