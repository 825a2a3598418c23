/**
 * Server-side Table printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): one cell per column,
 * wide columns included, rows carrying the object's metadata (or the object) for kubectl's NAMESPACE,
 * --show-labels and -L.
 */
import type { ResourceInfo } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";
import { columnDefinitions, hasPrinter } from "./columns.js";
import type { TableColumnDefinition } from "./columns.js";
import { obj, str } from "./fields.js";
import { podRow } from "./pod.js";
import type { TableRowCondition } from "./pod.js";
import { bindingCells, endpointSliceCells, endpointsCells, roleCells, serviceCells } from "./rows-network.js";
import { daemonJobCells } from "./rows-daemonjob.js";
import { configMapCells, priorityClassCells, secretCells, serviceAccountCells } from "./rows-config.js";
import { controllerRevisionCells, daemonSetCells, eventCells, leaseCells, namespaceCells, nodeCells } from "./rows.js";

export type { TableColumnDefinition } from "./columns.js";
export type { TableRowCondition } from "./pod.js";

/** What each row carries besides its cells (metav1.IncludeObjectPolicy). */
export type IncludeObject = "None" | "Metadata" | "Object";

/** One row of a metav1.Table. */
export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata (Metadata), the object itself (Object), or absent (None). */
  object?: KubeObject;
}

/** The meta.k8s.io versions a Table is served in. */
export type TableVersion = "v1" | "v1beta1";

/** A metav1.Table as served to kubectl. */
export interface Table {
  kind: "Table";
  apiVersion: `meta.k8s.io/${TableVersion}`;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** Printing options; `now` is the clock ages are computed against. */
export interface PrintOptions {
  now: Date;
  /** Defaults to "Metadata". */
  includeObject?: IncludeObject;
  /** The list's (or object's) resourceVersion; kubectl's `get -w` needs it. */
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** Leave columnDefinitions empty (watch events after the first may omit them). */
  noHeaders?: boolean;
  /** The Table's version (default v1); rows' PartialObjectMetadata are of the same meta.k8s.io version, as upstream's. */
  version?: TableVersion;
}

type CellPrinter = (o: Record<string, unknown>, now: Date) => { cells: unknown[]; conditions?: TableRowCondition[] };

const printers: Record<string, CellPrinter> = {
  Pod: podRow,
  DaemonSet: (o, now) => ({ cells: daemonSetCells(o, now) }),
  DaemonJob: (o, now) => ({ cells: daemonJobCells(o, now) }),
  Node: (o, now) => ({ cells: nodeCells(o, now) }),
  Namespace: (o, now) => ({ cells: namespaceCells(o, now) }),
  Event: (o, now) => ({ cells: eventCells(o, now) }),
  ControllerRevision: (o, now) => ({ cells: controllerRevisionCells(o, now) }),
  Lease: (o, now) => ({ cells: leaseCells(o, now) }),
  ConfigMap: (o, now) => ({ cells: configMapCells(o, now) }),
  Secret: (o, now) => ({ cells: secretCells(o, now) }),
  ServiceAccount: (o, now) => ({ cells: serviceAccountCells(o, now) }),
  PriorityClass: (o, now) => ({ cells: priorityClassCells(o, now) }),
  Service: (o, now) => ({ cells: serviceCells(o, now) }),
  Endpoints: (o, now) => ({ cells: endpointsCells(o, now) }),
  EndpointSlice: (o, now) => ({ cells: endpointSliceCells(o, now) }),
  Role: (o) => ({ cells: roleCells(o) }),
  ClusterRole: (o) => ({ cells: roleCells(o) }),
  RoleBinding: (o, now) => ({ cells: bindingCells(o, now) }),
  ClusterRoleBinding: (o, now) => ({ cells: bindingCells(o, now) }),
};

/** Upstream's default table for kinds without a printer: name and creation timestamp. */
const defaultPrinter: CellPrinter = (o) => {
  const metadata = obj(o.metadata);
  return { cells: [str(metadata.name), str(metadata.creationTimestamp)] };
};

/** Prints one object as a table row (cells for every column, wide ones included). */
export function printTableRow(resource: Pick<ResourceInfo, "kind" | "group" | "version">, object: KubeObject, options: PrintOptions): TableRow {
  const printer = hasPrinter(resource.kind) ? printers[resource.kind] ?? defaultPrinter : defaultPrinter;
  const { cells, conditions } = printer(object as Record<string, unknown>, options.now);
  const row: TableRow = { cells };
  if (conditions) row.conditions = conditions;
  switch (options.includeObject ?? "Metadata") {
    case "None":
      break;
    case "Object":
      row.object = object;
      break;
    default:
      row.object = { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${options.version ?? "v1"}`, metadata: object.metadata ?? {} };
  }
  return row;
}

/** Prints objects of one resource as a metav1.Table (for a single object or a watch event, pass one). */
export function printTable(resource: Pick<ResourceInfo, "kind" | "group" | "version">, objects: readonly KubeObject[], options: PrintOptions): Table {
  const metadata: Table["metadata"] = {};
  if (options.resourceVersion !== undefined) metadata.resourceVersion = options.resourceVersion;
  if (options.continue) metadata.continue = options.continue;
  if (options.remainingItemCount !== undefined) metadata.remainingItemCount = options.remainingItemCount;
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${options.version ?? "v1"}`,
    metadata,
    columnDefinitions: options.noHeaders ? [] : columnDefinitions(resource.kind),
    rows: objects.map((o) => printTableRow(resource, o, options)),
  };
}
