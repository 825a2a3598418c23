/** The API server's registry: per-resource behaviour over storage, served through the Client interface. */
export { Registry, type RegistryOptions } from "./registry.js";
export type { PatchOutcome } from "./patch.js";
export type { DeleteOutcome } from "./delete.js";
export { bootstrapCluster, ensureNamespaces, systemNamespaces } from "./bootstrap.js";
export { initialEventsEndAnnotation } from "./watch.js";
