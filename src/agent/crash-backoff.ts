/** The kubelet's crash-loop back-off per container: 10 s doubling to 5 min, forgotten 10 minutes after its last step. */

/** Initial and maximum back-off (upstream 10 s and 300 s). */
export const initialBackoffMs = 10_000;
export const maxBackoffMs = 300_000;

interface Entry { backoffMs: number; lastUpdate: number }

/** Formats milliseconds as Go's time.Duration does for whole seconds (`10s`, `1m20s`, `5m0s`). */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${s % 60}s` : `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}

/** Back-off state of the containers of one pod. */
export class CrashBackoff {
  private readonly entries = new Map<string, Entry>();

  /**
   * Decides whether container `key`, which finished at `finishedAt`, may restart at `now`: undefined when it may
   * (and the back-off steps up), else the back-off in force and the milliseconds left.
   */
  check(key: string, finishedAt: number, now: number): { backoffMs: number; remainingMs: number } | undefined {
    let entry = this.entries.get(key);
    if (entry && finishedAt - entry.lastUpdate > 2 * maxBackoffMs) {
      this.entries.delete(key);
      entry = undefined;
    }
    if (entry && now - finishedAt < entry.backoffMs) return { backoffMs: entry.backoffMs, remainingMs: entry.backoffMs - (now - finishedAt) };
    this.entries.set(key, { backoffMs: entry ? Math.min(entry.backoffMs * 2, maxBackoffMs) : initialBackoffMs, lastUpdate: finishedAt });
    return undefined;
  }
}
