/** Which cluster, credentials and namespace a client command talks to, resolved as kubectl resolves them. */
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { loadKubeconfig } from "../client/kubeconfig.js";
import type { RestConfig } from "../client/rest.js";

/** What the command line and environment say (the CLI reads the environment, nothing below it does). */
export interface KubeTargetFlags {
  /** --kubeconfig */
  kubeconfig?: string;
  /** --context */
  context?: string;
  /** -n / --namespace */
  namespace?: string;
  /** $KUBECONFIG */
  envKubeconfig?: string;
  /** $HOME */
  home?: string;
}

/** The resolved target. */
export interface KubeTarget {
  /** The kubeconfig file read. */
  path: string;
  config: RestConfig;
  /** --namespace, else the context's namespace, else `default`. */
  namespace: string;
  /** Whether --namespace named it (a manifest naming another namespace is then an error, as with kubectl). */
  explicitNamespace: boolean;
}

/**
 * The kubeconfig file as kubectl picks it: --kubeconfig, else the first existing file of $KUBECONFIG (files are
 * not merged), else ~/.kube/config. Throws when none is found.
 */
export function kubeconfigPath(flags: KubeTargetFlags): string {
  if (flags.kubeconfig) return flags.kubeconfig;
  const listed = (flags.envKubeconfig ?? "").split(delimiter).filter((p) => p !== "");
  const found = listed.find((p) => existsSync(p));
  if (found) return found;
  if (listed.length > 0) throw new Error(`none of the KUBECONFIG files exists: ${listed.join(delimiter)}`);
  if (flags.home) {
    const home = join(flags.home, ".kube", "config");
    if (existsSync(home)) return home;
  }
  throw new Error("no kubeconfig: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config");
}

/** Resolves the kubeconfig, the context's server and credentials, and the namespace. */
export async function resolveKubeTarget(flags: KubeTargetFlags): Promise<KubeTarget> {
  const path = kubeconfigPath(flags);
  const config = await loadKubeconfig(path, flags.context);
  let namespace = flags.namespace;
  if (!namespace) {
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    const ctx = kc.getContextObject(flags.context ?? kc.getCurrentContext());
    namespace = ctx?.namespace || "default";
  }
  return { path, config, namespace, explicitNamespace: Boolean(flags.namespace) };
}
