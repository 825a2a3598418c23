/**
 * Heap snapshots of a running server on request: one of the main thread and one of each registered worker thread
 * (the controller thread), written into one directory. `everynode up --heap-snapshot-dir DIR` writes them on SIGUSR2.
 */
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { writeHeapSnapshot } from "node:v8";
import type { Worker } from "node:worker_threads";

/** Writes `<label>-<n>.heapsnapshot` files of this thread and of the worker threads registered with it. */
export class HeapSnapshots {
  private readonly workers = new Map<Worker, string>();
  private taken = 0;

  /** Snapshots go into `dir` (created when needed). */
  constructor(private readonly dir: string) {}

  /** Includes `worker` (named `label` in file names) in the snapshots until `remove`. */
  add(worker: Worker, label: string): void {
    this.workers.set(worker, label);
  }

  /** No longer includes `worker`. */
  remove(worker: Worker): void {
    this.workers.delete(worker);
  }

  /** Writes one snapshot per thread; resolves with their paths (main thread first). */
  async write(): Promise<string[]> {
    const n = ++this.taken;
    await mkdir(this.dir, { recursive: true });
    const paths = [writeHeapSnapshot(join(this.dir, `main-${n}.heapsnapshot`))];
    for (const [worker, label] of this.workers) {
      const path = join(this.dir, `${label}-${n}.heapsnapshot`);
      await pipeline(await worker.getHeapSnapshot(), createWriteStream(path));
      paths.push(path);
    }
    return paths;
  }
}
