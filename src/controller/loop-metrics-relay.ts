/**
 * Loop metrics reported in one thread and kept in another: RelayedLoopMetrics records the observations of the loops
 * running beside it and hands them over in batches; a LoopMetricsReplay applies them to the LoopMetrics of the
 * thread that serves /metrics.
 */
import type { LoopMetrics, SchedulerMetrics, WorkQueueMetrics } from "./loop-metrics.js";

/** One recorded observation (structured-clone friendly). */
export type LoopObservation =
  | ["q", string, "created" | "added" | "retried"]
  | ["q", string, "taken" | "processed", number]
  | ["s", "scheduled" | "unschedulable" | "error", number]
  | ["l", string, boolean];

/** LoopMetrics that buffer observations and pass them to `deliver` at most every `intervalMs` (and on flush()). */
export class RelayedLoopMetrics implements LoopMetrics {
  private buffer: LoopObservation[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly queues = new Map<string, WorkQueueMetrics>();

  constructor(private readonly deliver: (batch: LoopObservation[]) => void, private readonly intervalMs = 250) {}

  /** The metrics of the work queue `name`; each call stands for a new queue of that name (its depth starts at 0). */
  workQueue(name: string): WorkQueueMetrics {
    this.record(["q", name, "created"]);
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = {
        added: () => this.record(["q", name, "added"]),
        taken: (waitedSeconds) => this.record(["q", name, "taken", waitedSeconds]),
        processed: (seconds) => this.record(["q", name, "processed", seconds]),
        retried: () => this.record(["q", name, "retried"]),
      };
      this.queues.set(name, queue);
    }
    return queue;
  }

  scheduler(): SchedulerMetrics {
    return { attempt: (result, seconds) => this.record(["s", result, seconds]) };
  }

  setLeader(name: string, leading: boolean): void {
    this.record(["l", name, leading]);
    this.flush();
  }

  /** Delivers what is buffered now. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.deliver(batch);
  }

  private record(observation: LoopObservation): void {
    this.buffer.push(observation);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }
}

/**
 * Applies the batches of one RelayedLoopMetrics to `target`, in order. A queue's metrics are asked of `target` once
 * per queue the other thread made (a `created` observation), as that queue would have asked in this thread, and
 * kept from batch to batch: asking again starts the queue over (ServerMetrics sets its depth to 0).
 */
export class LoopMetricsReplay {
  private readonly queues = new Map<string, WorkQueueMetrics>();

  /** Replays into `target`. */
  constructor(private readonly target: LoopMetrics) {}

  /** Applies `batch`, in order. */
  apply(batch: readonly LoopObservation[]): void {
    for (const o of batch) {
      if (o[0] === "s") this.target.scheduler().attempt(o[1], o[2]);
      else if (o[0] === "l") this.target.setLeader(o[1], o[2]);
      else if (o[2] === "created") this.queues.set(o[1], this.target.workQueue(o[1]));
      else {
        const queue = this.queue(o[1]);
        if (o[2] === "added") queue.added();
        else if (o[2] === "retried") queue.retried();
        else if (o[2] === "taken") queue.taken(o[3] ?? 0);
        else queue.processed(o[3] ?? 0);
      }
    }
  }

  private queue(name: string): WorkQueueMetrics {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = this.target.workQueue(name);
      this.queues.set(name, queue);
    }
    return queue;
  }
}
