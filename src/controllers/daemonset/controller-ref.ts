/** ControllerRef rules: which pods and revisions a DaemonSet owns, adopts or releases. */
import type { ResourceInfo } from "../../api/resources.js";
import { isStatus } from "../../api/status-error.js";
import type { Selector } from "../../api/label-selector.js";
import type { ApiObject, DaemonSet } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import { daemonSetControllerRef } from "./pod-template.js";
import { controllerRefOf, isDeleting } from "./pod-util.js";

/** What to do with one candidate object. */
export type ClaimAction = "own" | "adopt" | "release" | "ignore";

/**
 * Classifies an object for a DaemonSet: controlled by another → ignore; controlled by it and matching → own;
 * controlled by it but not matching → release (ignore while the DaemonSet is being deleted); an orphan that matches,
 * is in the same namespace and is not being deleted → adopt (ignore while the DaemonSet is being deleted).
 */
export function classifyClaim(obj: ApiObject, ds: DaemonSet, selector: Selector): ClaimAction {
  const ref = controllerRefOf(obj);
  const matches = selector.matches(obj.metadata?.labels);
  if (ref) {
    if (ref.uid !== ds.metadata?.uid) return "ignore";
    if (matches) return "own";
    return isDeleting(ds) ? "ignore" : "release";
  }
  if (!matches || isDeleting(ds) || isDeleting(obj)) return "ignore";
  if ((obj.metadata?.namespace ?? "") !== (ds.metadata?.namespace ?? "")) return "ignore";
  return "adopt";
}

/**
 * Claims objects for one DaemonSet during one sync: owned ones are kept, orphans adopted through a strategic merge
 * patch adding the controller ownerReference (after one live GET confirming the DaemonSet's uid and that it is not
 * being deleted), non-matching owned ones released through a patch removing it.
 */
export class ClaimManager {
  private canAdopt: Promise<void> | undefined;

  /** Creates a manager for `ds` (as cached) with its parsed selector. */
  constructor(
    private readonly client: Client,
    private readonly dsResource: ResourceInfo,
    private readonly ds: DaemonSet,
    private readonly selector: Selector,
  ) {}

  /** The objects the DaemonSet owns after adoption and release; throws an AggregateError if any adoption or release failed. */
  async claim<T extends ApiObject>(resource: ResourceInfo, candidates: readonly T[]): Promise<T[]> {
    const claimed: T[] = [];
    const errors: unknown[] = [];
    const work: Promise<void>[] = [];
    for (const obj of candidates) {
      const action = classifyClaim(obj, this.ds, this.selector);
      if (action === "own") claimed.push(obj);
      else if (action === "adopt") work.push(this.adopt(resource, obj).then((o) => { if (o) claimed.push(o); }, (e: unknown) => { errors.push(e); }));
      else if (action === "release") work.push(this.release(resource, obj).catch((e: unknown) => { errors.push(e); }));
    }
    await Promise.all(work);
    if (errors.length > 0) throw new AggregateError(errors, `claiming ${resource.resource} for DaemonSet ${this.dsKey()}: ${errors.map(String).join("; ")}`);
    return claimed;
  }

  private dsKey(): string {
    return `${this.ds.metadata?.namespace ?? ""}/${this.ds.metadata?.name ?? ""}`;
  }

  /** One live read per manager: the DaemonSet must still exist with the same uid and not be being deleted. */
  private checkCanAdopt(): Promise<void> {
    this.canAdopt ??= (async () => {
      const fresh = await this.client.get<DaemonSet>(this.dsResource, this.ds.metadata?.namespace, this.ds.metadata?.name ?? "");
      if (fresh.metadata?.uid !== this.ds.metadata?.uid) {
        throw new Error(`original DaemonSet ${this.dsKey()} is gone: got uid ${fresh.metadata?.uid ?? ""}, wanted ${this.ds.metadata?.uid ?? ""}`);
      }
      if (isDeleting(fresh)) throw new Error(`${this.dsKey()} has just been deleted at ${fresh.metadata?.deletionTimestamp ?? ""}`);
    })();
    return this.canAdopt;
  }

  private async adopt<T extends ApiObject>(resource: ResourceInfo, obj: T): Promise<T | undefined> {
    await this.checkCanAdopt();
    const patch = { metadata: { ownerReferences: [daemonSetControllerRef(this.ds)], uid: obj.metadata?.uid } };
    try {
      return await this.client.patch<T>(resource, obj.metadata?.namespace, obj.metadata?.name ?? "", "strategic", patch);
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  private async release(resource: ResourceInfo, obj: ApiObject): Promise<void> {
    const patch = { metadata: { ownerReferences: [{ $patch: "delete", uid: this.ds.metadata?.uid }], uid: obj.metadata?.uid } };
    try {
      await this.client.patch(resource, obj.metadata?.namespace, obj.metadata?.name ?? "", "strategic", patch);
    } catch (error) {
      if (isStatus(error, 404) || isStatus(error, 422)) return;
      throw error;
    }
  }
}
