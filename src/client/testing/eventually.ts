import { setImmediate as nextTurn } from "node:timers/promises";

/** Lets pending promise chains and I/O callbacks run for `turns` event-loop turns. */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

/** Waits (in event-loop turns, never wall-clock time) until `condition` holds; throws after `maxTurns`. */
export async function eventually(condition: () => boolean, what = "condition", maxTurns = 2000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await nextTurn();
  }
  throw new Error(`timed out waiting for ${what}`);
}
