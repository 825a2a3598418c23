/**
 * Read coalescing that keeps read-after-write order: every caller gets the result of a read that started after the
 * caller asked. While a read of a key runs, later callers share one follow-up read that starts when it ends, so at
 * most one read per key runs (and one waits) however many callers ask at once.
 */

interface KeyState<T> {
  current: Promise<T>;
  /** The read every caller that came while `current` ran shares; it starts when `current` settles. */
  next?: Promise<T>;
}

/** Coalesces concurrent reads per key; see the file comment. */
export class CoalescedReads<T> {
  private readonly states = new Map<string, KeyState<T>>();

  /** The result (or failure) of `run` for `key`, from a run that starts no earlier than this call. */
  read(key: string, run: () => Promise<T>): Promise<T> {
    const state = this.states.get(key);
    if (state === undefined) return this.begin(key, run);
    state.next ??= state.current.then(() => undefined, () => undefined).then(() => this.begin(key, run));
    return state.next;
  }

  /** Keys with a read running now (for tests). */
  get running(): number {
    return this.states.size;
  }

  private begin(key: string, run: () => Promise<T>): Promise<T> {
    let current: Promise<T>;
    try {
      current = run();
    } catch (error) {
      current = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const state: KeyState<T> = { current };
    this.states.set(key, state);
    const done = (): void => {
      if (this.states.get(key) === state && state.next === undefined) this.states.delete(key);
    };
    void current.then(done, done);
    return current;
  }
}
