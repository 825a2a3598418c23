/** Keeping a DaemonSet's ControllerRevisions in line with its template, through the API. */
import type { ResourceInfo } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { ControllerRevision, DaemonSet, Pod } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import {
  currentTemplateHash, maxRevision, newRevision, pickCurrentRevision, revisionHash, revisionMatches, revisionsToCleanup, splitRevisions,
} from "./history.js";
import { controllerRevisionHashLabel } from "./labels.js";
import { deepCopy } from "../../util/json.js";

/** The API handles history maintenance needs. */
export interface HistoryDeps {
  client: Client;
  daemonSets: ResourceInfo;
  controllerRevisions: ResourceInfo;
  pods: ResourceInfo;
}

/** The current revision of a DaemonSet and its old revisions. */
export interface DaemonSetHistory {
  current: ControllerRevision;
  old: ControllerRevision[];
}

const isCode = (error: unknown, code: number): boolean => error instanceof StatusError && error.code === code;

/**
 * Makes sure exactly one owned revision stores the current template and that it has the highest revision
 * number: labels missing hashes, creates the revision when none matches (bumping status.collisionCount on a
 * name collision, then failing so the sync is retried), renumbers a matching older revision to max+1 (rollback)
 * and removes duplicates after relabelling the pods (read lazily through `pods`) that carry their hashes.
 */
export async function constructHistory(deps: HistoryDeps, ds: DaemonSet, owned: readonly ControllerRevision[], pods: () => readonly Pod[]): Promise<DaemonSetHistory> {
  const revisions: ControllerRevision[] = [];
  for (const r of owned) {
    if (r.metadata?.labels?.[controllerRevisionHashLabel] !== undefined) {
      revisions.push(r);
      continue;
    }
    const toUpdate = deepCopy(r);
    const meta = toUpdate.metadata ?? (toUpdate.metadata = {});
    meta.labels = { ...(meta.labels ?? {}), [controllerRevisionHashLabel]: meta.name ?? "" };
    revisions.push(await deps.client.update<ControllerRevision>(deps.controllerRevisions, meta.namespace, toUpdate));
  }
  const { current, old } = splitRevisions(ds, revisions);
  const nextRevision = maxRevision(old) + 1;
  const picked = pickCurrentRevision(current);
  if (!picked) return { current: await snapshot(deps, ds, nextRevision), old };
  let keep = picked.keep;
  if (picked.duplicates.length > 0) await dedup(deps, keep, picked.duplicates, pods());
  if ((keep.revision ?? 0) < nextRevision) {
    const toUpdate = deepCopy(keep);
    toUpdate.revision = nextRevision;
    keep = await deps.client.update<ControllerRevision>(deps.controllerRevisions, toUpdate.metadata?.namespace, toUpdate);
  }
  return { current: keep, old };
}

async function dedup(deps: HistoryDeps, keep: ControllerRevision, duplicates: readonly ControllerRevision[], pods: readonly Pod[]): Promise<void> {
  const keepHash = revisionHash(keep);
  const dupHashes = new Set(duplicates.map(revisionHash).filter((h) => h !== "" && h !== keepHash));
  for (const pod of pods) {
    const h = pod.metadata?.labels?.[controllerRevisionHashLabel];
    if (h === undefined || !dupHashes.has(h)) continue;
    try {
      await deps.client.patch(deps.pods, pod.metadata?.namespace, pod.metadata?.name ?? "", "strategic",
        { metadata: { labels: { [controllerRevisionHashLabel]: keepHash } } });
    } catch (error) {
      if (!isCode(error, 404)) throw error;
    }
  }
  for (const dup of duplicates) {
    try {
      await deps.client.delete(deps.controllerRevisions, dup.metadata?.namespace, dup.metadata?.name ?? "");
    } catch (error) {
      if (!isCode(error, 404)) throw error;
    }
  }
}

/** Creates the revision of the current template; on a name taken by different data bumps collisionCount and throws. */
async function snapshot(deps: HistoryDeps, ds: DaemonSet, revision: number): Promise<ControllerRevision> {
  const hash = currentTemplateHash(ds);
  const cr = newRevision(ds, hash, revision);
  const ns = ds.metadata?.namespace;
  try {
    return await deps.client.create<ControllerRevision>(deps.controllerRevisions, ns, cr);
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
    const existing = await deps.client.get<ControllerRevision>(deps.controllerRevisions, ns, cr.metadata?.name ?? "");
    if (revisionMatches(ds, existing)) return existing;
    const fresh = await deps.client.get<DaemonSet>(deps.daemonSets, ns, ds.metadata?.name ?? "");
    const seen = ds.status?.collisionCount ?? undefined;
    const stored = fresh.status?.collisionCount ?? undefined;
    if (seen !== stored) {
      throw new Error(`found a stale collision count (${String(seen)}, expected ${String(stored)}) of DaemonSet "${ds.metadata?.name ?? ""}" while processing; will retry until it is updated`);
    }
    const status = { ...(fresh.status ?? { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 }) };
    status.collisionCount = (stored ?? 0) + 1;
    await deps.client.updateStatus<DaemonSet>(deps.daemonSets, ns, { ...fresh, status });
    throw error;
  }
}

/** Deletes old revisions beyond revisionHistoryLimit (default 10) that no live pod's hash refers to; throws an AggregateError on failures. */
export async function cleanupHistory(deps: HistoryDeps, ds: DaemonSet, old: readonly ControllerRevision[], live: ReadonlySet<string>): Promise<void> {
  const limit = ds.spec?.revisionHistoryLimit ?? 10;
  const errors: unknown[] = [];
  for (const r of revisionsToCleanup(old, limit, live)) {
    try {
      await deps.client.delete(deps.controllerRevisions, r.metadata?.namespace, r.metadata?.name ?? "");
    } catch (error) {
      if (!isCode(error, 404)) errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, `failed to clean up revisions of DaemonSet: ${errors.map(String).join("; ")}`);
}
