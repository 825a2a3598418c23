/** Server-side Table printing for the served kinds, as kubectl shows them against a real cluster. */
export { printTable, printTableRow } from "./table.js";
export type { IncludeObject, PrintOptions, Table, TableColumnDefinition, TableRow, TableRowCondition, TableVersion } from "./table.js";
export { columnDefinitions } from "./columns.js";
export { humanDuration, translateTimestampSince } from "./duration.js";
