/** Optional CPU profiles (one .cpuprofile per benchmark phase) and heap snapshots of this process, for in-process runs. */
import { mkdir, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";

/** Records what was asked for; every method is a no-op when its directory is unset. */
export class BenchProfiler {
  private session: Session | undefined;

  /** `cpuDir` receives `<phase>.cpuprofile` files, `heapDir` `<label>.heapsnapshot` files. */
  constructor(private readonly cpuDir: string | undefined, private readonly heapDir: string | undefined) {}

  /** Runs `fn` under the CPU profiler (when enabled) and writes its profile as `<phase>.cpuprofile`. */
  async phase<R>(phase: string, fn: () => Promise<R>): Promise<R> {
    if (this.cpuDir === undefined) return fn();
    const session = await this.open();
    await session.post("Profiler.start");
    try {
      return await fn();
    } finally {
      const { profile } = await session.post("Profiler.stop");
      await mkdir(this.cpuDir, { recursive: true });
      await writeFile(join(this.cpuDir, `${phase}.cpuprofile`), JSON.stringify(profile));
    }
  }

  /** Writes a heap snapshot named `<label>.heapsnapshot` (when enabled); returns its path. */
  async heapSnapshot(label: string): Promise<string | undefined> {
    if (this.heapDir === undefined) return undefined;
    await mkdir(this.heapDir, { recursive: true });
    return writeHeapSnapshot(join(this.heapDir, `${label}.heapsnapshot`));
  }

  /** Ends the inspector session. */
  close(): void {
    this.session?.disconnect();
    this.session = undefined;
  }

  private async open(): Promise<Session> {
    if (this.session !== undefined) return this.session;
    const session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    this.session = session;
    return session;
  }
}
