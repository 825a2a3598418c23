/**
 * A pseudo-terminal for `kubectl exec -t` without a pty library: util-linux `script` allocates the terminal, runs
 * the command on it as the leader of a new session, and relays between the terminal and its own stdin/stdout (which
 * are the exec's pipes). The terminal echoes and translates as any terminal does; `script` passes the end of stdin
 * on as the terminal's EOF. Window sizes are set on the terminal with `stty`, which makes the kernel signal
 * SIGWINCH to the command. The command's session is ended together with `script`'s process group.
 */
import { execFile } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";

/** Quotes `word` for sh. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The argv running `argv` on a new terminal of `size` (`script -qfec 'stty …; exec …' /dev/null`, exit code passed
 * through).
 */
export function terminalArgv(argv: readonly string[], size = { width: 80, height: 24 }): string[] {
  const command = `stty cols ${size.width} rows ${size.height} 2>/dev/null; exec ${argv.map(shellQuote).join(" ")}`;
  return ["script", "--quiet", "--flush", "--return", "--command", command, "/dev/null"];
}

/** The first child of process `pid`, undefined when it has none (yet). */
export function firstChild(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/** The terminal `script` (process `scriptPid`) runs a command on: its size, and the end of its session. */
export class ExecTerminal {
  private leader: number | undefined;
  private size: { width: number; height: number };
  private sizedTo: string;
  private setting = false;
  private readonly timer: NodeJS.Timeout;

  /** Follows the `script` process `scriptPid` (started at `size`) until its command started (checked every 20 ms for up to 5 s). */
  constructor(private readonly scriptPid: number, size: { width: number; height: number }, private readonly onError: (error: unknown) => void) {
    this.size = size;
    this.sizedTo = `${size.width}x${size.height}`;
    let tries = 0;
    this.timer = setInterval(() => {
      this.leader = firstChild(scriptPid);
      if (this.leader !== undefined || ++tries > 250) {
        clearInterval(this.timer);
        this.apply();
      }
    }, 20);
    this.timer.unref();
  }

  /** Sets the terminal's size (now, or once the command runs). */
  resize(width: number, height: number): void {
    this.size = { width, height };
    this.apply();
  }

  /** Ends the command's session and `script`'s process group. */
  kill(): void {
    clearInterval(this.timer);
    const leader = this.leader ?? firstChild(this.scriptPid);
    for (const group of [leader, this.scriptPid]) {
      if (group === undefined) continue;
      try { process.kill(-group, "SIGKILL"); } catch { /* gone already */ }
    }
  }

  private apply(): void {
    if (this.leader === undefined || this.setting) return;
    const key = `${this.size.width}x${this.size.height}`;
    if (key === this.sizedTo) return;
    let tty: string;
    try {
      tty = readlinkSync(`/proc/${this.leader}/fd/0`);
    } catch {
      return;
    }
    if (!tty.startsWith("/dev/pts/")) return;
    this.sizedTo = key;
    // One stty at a time, so sizes asked for in quick succession (kubectl attach sends two) end in the last one.
    this.setting = true;
    execFile("stty", ["-F", tty, "cols", String(this.size.width), "rows", String(this.size.height)], (err) => {
      this.setting = false;
      if (err && !/No such file|Input\/output error|No such process/.test(err.message)) this.onError(err);
      else this.apply();
    });
  }
}
