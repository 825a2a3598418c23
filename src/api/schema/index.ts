/** Runtime schemas of every served kind: field checks for decoding and definitions for OpenAPI. */
export { checkAndPruneFields, checkFields, pruneUnknownFields, quantityError, timeError } from "./check-fields.js";
export type { FieldCheckResult, SchemaTarget } from "./check-fields.js";
export { allDefinitions, closureOf, definition, goTypeName, schemaFor } from "./catalog.js";
export type { Definition, DefinitionName, GroupVersionKind, ListTraits, Property, SchemaType } from "./types.js";
