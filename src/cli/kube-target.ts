/**
 * Which cluster, user and namespace a client command talks to, resolved as kubectl resolves them: `--kubeconfig`,
 * else the first existing file of `$KUBECONFIG` (a path list), else `~/.kube/config`; `--context` or the current
 * context; `-n` or the context's namespace or `default`.
 */
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { readKubeconfig } from "../client/kubeconfig.js";
import { RestClient } from "../client/rest.js";
import { UsageError } from "./flags.js";

/** What the command line and the environment say about the target. */
export interface KubeTargetOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** The value of $KUBECONFIG. */
  envKubeconfig?: string;
  /** The user's home directory. */
  home: string;
}

/** The resolved target: a client and the namespace to use. */
export interface KubeTarget {
  client: RestClient;
  namespace: string;
  kubeconfigPath: string;
}

/** The kubeconfig file kubectl would read (see the module comment); throws a UsageError when there is none. */
export function kubeconfigPath(o: KubeTargetOptions): string {
  if (o.kubeconfig !== undefined && o.kubeconfig !== "") return o.kubeconfig;
  for (const p of (o.envKubeconfig ?? "").split(delimiter)) if (p !== "" && existsSync(p)) return p;
  const fallback = join(o.home, ".kube", "config");
  if (existsSync(fallback)) return fallback;
  throw new UsageError("no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config");
}

/** Loads the kubeconfig and builds a REST client for the chosen context. */
export async function resolveKubeTarget(o: KubeTargetOptions, userAgent: string): Promise<KubeTarget> {
  const path = kubeconfigPath(o);
  const target = await readKubeconfig(path, o.context);
  const namespace = o.namespace ?? target.namespace ?? "default";
  return { client: new RestClient({ ...target.rest, userAgent }), namespace, kubeconfigPath: path };
}
