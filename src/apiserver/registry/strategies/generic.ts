/** Strategy of kinds without special registry behaviour (events, controller revisions, leases). */
import type { Strategy } from "../strategy.js";

/** No status handling, no generation, deleted at once. */
export const genericStrategy: Strategy = {
  prepareForCreate: () => undefined,
  prepareForUpdate: () => undefined,
  returnsDeletedObject: false,
  indexers: {},
};
