/**
 * The legacy ServiceAccount token controller, as kube-controller-manager's tokens controller: a Secret of type
 * `kubernetes.io/service-account-token` naming a ServiceAccount (annotation `kubernetes.io/service-account.name`)
 * gets `data.token` (a token signed for that Secret), `data["ca.crt"]` and `data.namespace`, and the annotation
 * `kubernetes.io/service-account.uid`. A token Secret whose ServiceAccount does not exist (or has another uid) is
 * deleted, and so are the token Secrets of a deleted ServiceAccount.
 */
import { mustFindResource } from "../../api/resources.js";
import { isStatus } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { objectKey } from "../../client/cache.js";
import type { Informer } from "../../client/informer.js";
import type { ControlLoopOptions } from "../../controller/control-loop.js";
import { runReconciler, type ReconcileResult, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import { realClock } from "../../util/clock.js";
import { reportTo } from "../../util/report.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";

/** Name of the controller (work queue metrics, errors). */
export const tokensControllerName = "serviceaccount-tokens-controller";

/** The Secret type of legacy ServiceAccount tokens. */
export const serviceAccountTokenType = "kubernetes.io/service-account-token";
const nameAnnotation = "kubernetes.io/service-account.name";
const uidAnnotation = "kubernetes.io/service-account.uid";

/** Signs the legacy token of the Secret `secretName` for the ServiceAccount `serviceAccount` of `namespace`. */
export type LegacyTokenSigner = (namespace: string, serviceAccount: { name: string; uid: string }, secretName: string) => Promise<string>;

/** Options of the controller: the loop's, the signer and the CA (PEM) written as `ca.crt` (absent: none). */
export interface TokensControllerOptions extends ControlLoopOptions {
  sign: LegacyTokenSigner;
  caCert?: string;
}

const secretsResource = mustFindResource("", "secrets");
const serviceAccountsResource = mustFindResource("", "serviceaccounts");

function isTokenSecret(secret: KubeObject): boolean {
  return secret.type === serviceAccountTokenType;
}

function annotation(o: KubeObject, key: string): string {
  return o.metadata?.annotations?.[key] ?? "";
}

/** Watches token Secrets and ServiceAccounts; the queue holds Secret keys (`namespace/name`). */
export class TokensController implements Reconciler {
  /** The queue of Secret keys. */
  readonly queue: WorkQueue<string>;
  private readonly secrets: Informer<KubeObject>;
  private readonly serviceAccounts: Informer<KubeObject>;

  /** Creates the controller and registers its informer handlers. */
  constructor(private readonly options: TokensControllerOptions) {
    this.secrets = options.informers.informerFor<KubeObject>(secretsResource);
    this.serviceAccounts = options.informers.informerFor<KubeObject>(serviceAccountsResource);
    this.queue = new WorkQueue<string>({ clock: options.clock ?? realClock(), metrics: options.metrics?.workQueue("serviceaccount_tokens") });
    const enqueue = (secret: KubeObject): void => { if (isTokenSecret(secret)) this.queue.add(objectKey(secret)); };
    this.secrets.addEventHandler({ onAdd: enqueue, onUpdate: (_old, cur) => enqueue(cur) });
    const enqueueFor = (sa: KubeObject): void => {
      const namespace = sa.metadata?.namespace ?? "";
      for (const s of this.secrets.store.list()) {
        if (s.metadata?.namespace === namespace && isTokenSecret(s) && annotation(s, nameAnnotation) === sa.metadata?.name) enqueue(s);
      }
    };
    this.serviceAccounts.addEventHandler({ onAdd: enqueueFor, onUpdate: (old, cur) => { if (old.metadata?.uid !== cur.metadata?.uid) enqueueFor(cur); }, onDelete: enqueueFor });
  }

  /** Waits for the caches, then reconciles until `signal` aborts; resolves once the workers stopped. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await waitForCacheSync([this.secrets, this.serviceAccounts], signal, this.queue))) return;
    await runReconciler({
      name: tokensControllerName, queue: this.queue, reconciler: this, workers: this.options.workers ?? 2, signal,
      onError: (error, key) => reportTo(this.options.onError, error, key),
    });
  }

  /** Fills the Secret's token, or deletes it when its ServiceAccount is gone. */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const secret = this.secrets.store.get(key);
    if (!secret || !isTokenSecret(secret) || secret.metadata?.deletionTimestamp) return;
    const namespace = secret.metadata?.namespace ?? "";
    const name = secret.metadata?.name ?? "";
    const sa = await this.serviceAccount(namespace, annotation(secret, nameAnnotation), annotation(secret, uidAnnotation));
    try {
      if (!sa) {
        await this.options.client.delete(secretsResource, namespace, name, { preconditions: { uid: secret.metadata?.uid } });
        return;
      }
      const ref = { name: sa.metadata?.name ?? "", uid: sa.metadata?.uid ?? "" };
      const data = { ...(secret.data as Record<string, string> | undefined) };
      const want: Record<string, string> = { namespace: Buffer.from(namespace).toString("base64") };
      if (this.options.caCert !== undefined) want["ca.crt"] = Buffer.from(this.options.caCert).toString("base64");
      const stale = Object.entries(want).some(([k, v]) => data[k] !== v);
      if (data.token && !stale && annotation(secret, uidAnnotation) === ref.uid) return;
      if (!data.token) data.token = Buffer.from(await this.options.sign(namespace, ref, name)).toString("base64");
      const annotations = { ...secret.metadata?.annotations, [uidAnnotation]: ref.uid };
      await this.options.client.update(secretsResource, namespace, { ...secret, metadata: { ...secret.metadata, annotations }, data: { ...data, ...want } });
    } catch (error) {
      if (isStatus(error, 404)) return;
      if (isStatus(error, 409)) return { requeue: true };
      throw error;
    }
  }

  /** The ServiceAccount named (with the uid, when given), from the cache, else read live; undefined when absent. */
  private async serviceAccount(namespace: string, name: string, uid: string): Promise<KubeObject | undefined> {
    if (name === "") return undefined;
    let sa = this.serviceAccounts.store.get(`${namespace}/${name}`);
    if (!sa) {
      try {
        sa = await this.options.client.get<KubeObject>(serviceAccountsResource, namespace, name);
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      }
    }
    return sa && (uid === "" || sa.metadata?.uid === uid) ? sa : undefined;
  }
}
