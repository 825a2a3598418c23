import type { Clock } from "../util/clock.js";

/** Decides how long a failing item waits before it is retried. */
export interface RateLimiter<T = string> {
  /** Records one more retry of `item` and returns the delay in milliseconds before it may be processed again. */
  whenAt(item: T): number;
  /** Clears the retry history of `item` (call after it succeeded). */
  forget(item: T): void;
  /** How many retries of `item` have been recorded since it was last forgotten. */
  retries(item: T): number;
}

/** Options of the per-item exponential limiter; defaults match client-go's controller defaults. */
export interface ExponentialOptions {
  /** Delay of the first retry (default 5 ms). */
  baseMs?: number;
  /** Upper bound of the delay (default 1000 s). */
  maxMs?: number;
}

/** Per-item exponential backoff: baseMs * 2^retries, capped at maxMs. */
export class ItemExponentialRateLimiter<T = string> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  /** Creates the limiter (defaults: 5 ms base, 1000 s cap). */
  constructor(options: ExponentialOptions = {}) {
    this.baseMs = options.baseMs ?? 5;
    this.maxMs = options.maxMs ?? 1_000_000;
  }

  /** Returns baseMs * 2^(previous retries), capped at maxMs, and counts this retry. */
  whenAt(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    const delay = this.baseMs * 2 ** Math.min(n, 1024);
    return Number.isFinite(delay) ? Math.min(delay, this.maxMs) : this.maxMs;
  }

  /** Resets the item's retry count. */
  forget(item: T): void {
    this.failures.delete(item);
  }

  /** The item's retry count. */
  retries(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** Options of the overall token bucket; defaults match client-go's controller defaults. */
export interface TokenBucketOptions {
  /** Tokens added per second (default 10). */
  qps?: number;
  /** Bucket capacity, the number of immediate retries allowed at once (default 100). */
  burst?: number;
}

/** An overall token bucket shared by all items: each retry takes a token; when none is left it waits for one. */
export class TokenBucketRateLimiter<T = string> implements RateLimiter<T> {
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;

  /** Creates a full bucket on `clock` (defaults: 10 qps, burst 100). */
  constructor(private readonly clock: Clock, options: TokenBucketOptions = {}) {
    this.qps = options.qps ?? 10;
    this.burst = options.burst ?? 100;
    if (!(this.qps > 0) || !(this.burst >= 1)) throw new RangeError("token bucket needs qps > 0 and burst >= 1");
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /** Reserves a token and returns how long until it is available (0 when one is in the bucket). */
  whenAt(_item: T): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.qps);
  }

  /** No per-item state: does nothing. */
  forget(_item: T): void {}

  /** No per-item state: always 0. */
  retries(_item: T): number {
    return 0;
  }
}

/** Combines limiters: every one records the retry, and the longest delay wins. */
export class MaxOfRateLimiter<T = string> implements RateLimiter<T> {
  private readonly limiters: readonly RateLimiter<T>[];

  /** Combines the given limiters (at least one). */
  constructor(...limiters: RateLimiter<T>[]) {
    if (limiters.length === 0) throw new RangeError("MaxOfRateLimiter needs at least one limiter");
    this.limiters = limiters;
  }

  /** The maximum of every limiter's delay. */
  whenAt(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.whenAt(item));
    return max;
  }

  /** Forgets the item in every limiter. */
  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  /** The maximum retry count reported by any limiter. */
  retries(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.retries(item));
    return max;
  }
}

/** Options of the default controller rate limiter. */
export interface ControllerRateLimiterOptions extends ExponentialOptions, TokenBucketOptions {}

/** client-go's default controller limiter: per-item exponential (5 ms .. 1000 s) max'ed with a 10 qps / 100 burst bucket. */
export function defaultControllerRateLimiter<T = string>(clock: Clock, options: ControllerRateLimiterOptions = {}): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialRateLimiter<T>({ baseMs: options.baseMs, maxMs: options.maxMs }),
    new TokenBucketRateLimiter<T>(clock, { qps: options.qps, burst: options.burst }),
  );
}
