/**
 * Server-side apply's field ownership: `metadata.managedFields` kept on every write (recordUpdate), the apply
 * merge with conflicts (applyConfiguration), and the FieldsV1 encoding (FieldSet).
 */
export { applyConfiguration, recordUpdate } from "./field-manager.js";
export type { ApplyRequest, WriteScope } from "./field-manager.js";
export { validateManagedFields } from "./managed-fields.js";
export { FieldSet } from "./fieldset.js";
