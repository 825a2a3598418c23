/** ControllerRevision bookkeeping for DaemonSets: building revisions, finding the current one, choosing what to prune. */
import type { ControllerRevision, DaemonSet, Pod } from "../../api/types.js";
import { computeTemplateHash, revisionData, revisionDataMatches } from "./history-hash.js";
import { controllerRevisionHashLabel } from "./labels.js";
import { daemonSetControllerRef } from "./pod-template.js";

/** The hash label of a revision ("" when absent). */
export function revisionHash(revision: ControllerRevision): string {
  return revision.metadata?.labels?.[controllerRevisionHashLabel] ?? "";
}

/** The hash a new revision of the DaemonSet's current template gets (template + status.collisionCount). */
export function currentTemplateHash(ds: DaemonSet): string {
  return computeTemplateHash(ds.spec?.template, ds.status?.collisionCount ?? undefined);
}

/**
 * A new revision of the DaemonSet's template: name `<ds>-<hash>`, labels = template labels + hash, the DaemonSet's
 * annotations, a controller ownerReference, data = the template-replacing patch, and the given revision number.
 */
export function newRevision(ds: DaemonSet, hash: string, revision: number): ControllerRevision {
  const annotations = ds.metadata?.annotations;
  const cr: ControllerRevision = {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: `${ds.metadata?.name ?? ""}-${hash}`,
      namespace: ds.metadata?.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [controllerRevisionHashLabel]: hash },
      ownerReferences: [daemonSetControllerRef(ds)],
    },
    data: revisionData(ds),
    revision,
  };
  if (annotations && Object.keys(annotations).length > 0 && cr.metadata) cr.metadata.annotations = { ...annotations };
  return cr;
}

/** Whether the revision stores the DaemonSet's current template. */
export function revisionMatches(ds: DaemonSet, revision: ControllerRevision): boolean {
  return revisionDataMatches(ds, revision.data);
}

/** The highest revision number (0 for none). */
export function maxRevision(revisions: readonly ControllerRevision[]): number {
  let max = 0;
  for (const r of revisions) if ((r.revision ?? 0) > max) max = r.revision ?? 0;
  return max;
}

/** Splits owned revisions into those equal to the current template and the old ones. */
export function splitRevisions(ds: DaemonSet, revisions: readonly ControllerRevision[]): { current: ControllerRevision[]; old: ControllerRevision[] } {
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (const r of revisions) (revisionMatches(ds, r) ? current : old).push(r);
  return { current, old };
}

/** Of several revisions equal to the current template, the one to keep (highest revision; the later one on ties) and the duplicates. */
export function pickCurrentRevision(current: readonly ControllerRevision[]): { keep: ControllerRevision; duplicates: ControllerRevision[] } | undefined {
  let keep: ControllerRevision | undefined;
  for (const r of current) if (keep === undefined || (r.revision ?? 0) >= (keep.revision ?? 0)) keep = r;
  if (keep === undefined) return undefined;
  const k = keep;
  return { keep: k, duplicates: current.filter((r) => r !== k) };
}

/** Hashes carried by the given pods. */
export function liveHashes(pods: Iterable<Pod>): Set<string> {
  const out = new Set<string>();
  for (const p of pods) {
    const h = p.metadata?.labels?.[controllerRevisionHashLabel];
    if (h) out.add(h);
  }
  return out;
}

/**
 * Old revisions to delete so that at most `limit` remain: oldest revision numbers first, skipping revisions
 * whose hash a live pod carries (those count against nothing and are never deleted).
 */
export function revisionsToCleanup(old: readonly ControllerRevision[], limit: number, live: ReadonlySet<string>): ControllerRevision[] {
  let toKill = old.length - Math.max(0, limit);
  if (toKill <= 0) return [];
  const sorted = [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  const out: ControllerRevision[] = [];
  for (const r of sorted) {
    if (toKill <= 0) break;
    if (live.has(revisionHash(r))) continue;
    out.push(r);
    toKill--;
  }
  return out;
}
