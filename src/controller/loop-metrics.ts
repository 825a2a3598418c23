/** What control loops report about themselves; the process that runs them decides where it goes (ServerMetrics). */

/** The observations a work queue reports (client-go's workqueue metrics). */
export interface WorkQueueMetrics {
  /** An item was queued (not a duplicate): depth grows, adds counted. */
  added(): void;
  /** An item was handed to a worker after waiting `waitedSeconds`: depth shrinks. */
  taken(waitedSeconds: number): void;
  /** Processing an item took `seconds`. */
  processed(seconds: number): void;
  /** An item was re-added through the rate limiter. */
  retried(): void;
}

/** The observations the scheduler reports per scheduling attempt. */
export interface SchedulerMetrics {
  /** One attempt ended `scheduled`, `unschedulable` or `error` after `seconds`. */
  attempt(result: "scheduled" | "unschedulable" | "error", seconds: number): void;
}

/** Where the loops of one process report: per-queue metrics, the scheduler's, and leader status. */
export interface LoopMetrics {
  /** The metrics of the work queue `name` (the controller's name). */
  workQueue(name: string): WorkQueueMetrics;
  /** The scheduler's metrics. */
  scheduler(): SchedulerMetrics;
  /** Sets whether this process holds the lease `name`. */
  setLeader(name: string, leading: boolean): void;
}
