import { CompactedError, FutureRevisionError } from "./backend.js";

/**
 * The revision a read asked for resolves to: absent or ≤ 0 means `current`; older than `compacted` throws
 * CompactedError; newer than `current` throws FutureRevisionError.
 */
export function resolveReadRevision(requested: number | undefined, current: number, compacted: number): number {
  if (requested === undefined || requested <= 0) return current;
  if (requested < compacted) throw new CompactedError(requested, compacted);
  if (requested > current) throw new FutureRevisionError(requested, current);
  return requested;
}
