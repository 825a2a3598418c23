/** Node strategy: a node keeps the status it is created with (the node agent registers with it). */
import type { Strategy } from "../strategy.js";

/** Nodes: status kept on create, carried over on update (generic), no generation. */
export const nodeStrategy: Strategy = {
  prepareForCreate: () => undefined,
  prepareForUpdate: () => undefined,
  returnsDeletedObject: false,
  indexers: {},
};
