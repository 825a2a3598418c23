/** The 409 Conflict server-side apply answers, with upstream's message and FieldManagerConflict causes. */
import { statusError, type StatusError } from "../../api/status-error.js";
import { pathString, type PathElement } from "./fieldset.js";
import type { ManagerEntry } from "./managed-fields.js";

/** One field another manager owns and an apply would change. */
export interface Conflict {
  manager: Pick<ManagerEntry, "manager" | "operation" | "apiVersion" | "subresource">;
  path: PathElement[];
}

/** How upstream names a manager in conflicts: `"name"`, `with subresource "status"`, `using apps/v1` for updaters. */
export function printManager(m: Conflict["manager"]): string {
  let out = JSON.stringify(m.manager);
  if (m.subresource) out += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") out += ` using ${m.apiVersion}`;
  return out;
}

/** `Apply failed with N conflict(s): ...` as a 409 Conflict Status; causes list every field. */
export function conflictError(conflicts: readonly Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) }));
  return statusError(409, "Conflict", conflictMessage(conflicts), { causes });
}

function conflictMessage(conflicts: readonly Conflict[]): string {
  const first = conflicts[0];
  if (conflicts.length === 1 && first !== undefined) {
    return `Apply failed with 1 conflict: conflict with ${printManager(first.manager)}: ${pathString(first.path)}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const name = printManager(c.manager);
    const paths = byManager.get(name) ?? [];
    paths.push(pathString(c.path));
    byManager.set(name, paths);
  }
  const lines: string[] = [];
  for (const name of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${name}:`);
    for (const p of byManager.get(name) ?? []) lines.push(`- ${p}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
}
