import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import type { RestConfig } from "./rest.js";

interface KubeconfigDoc {
  "current-context"?: string;
  contexts?: { name: string; context?: { cluster?: string; user?: string } }[];
  clusters?: { name: string; cluster?: { server?: string; "certificate-authority-data"?: string; "certificate-authority"?: string } }[];
  users?: { name: string; user?: { token?: string; tokenFile?: string } }[];
}

/** Reads a kubeconfig file and returns how to reach its current context (server, CA, bearer token). */
export async function loadKubeconfig(path: string, context?: string): Promise<RestConfig> {
  const doc = (parse(await readFile(path, "utf8")) ?? {}) as KubeconfigDoc;
  const ctxName = context ?? doc["current-context"];
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context;
  if (!ctx) throw new Error(`kubeconfig ${path}: context "${ctxName ?? ""}" not found`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`kubeconfig ${path}: cluster "${ctx.cluster ?? ""}" has no server`);
  const user = doc.users?.find((u) => u.name === ctx.user)?.user;
  const base = dirname(resolve(path));
  let caCert: string | undefined;
  if (cluster["certificate-authority-data"]) caCert = Buffer.from(cluster["certificate-authority-data"], "base64").toString("utf8");
  else if (cluster["certificate-authority"]) caCert = await readFile(resolve(base, cluster["certificate-authority"]), "utf8");
  let token = user?.token;
  if (!token && user?.tokenFile) token = (await readFile(resolve(base, user.tokenFile), "utf8")).trim();
  return { server: cluster.server, caCert, token };
}
