import { readFile } from "node:fs/promises";
import type { RequestOptions } from "node:https";
import { dirname, resolve } from "node:path";
import { KubeConfig, type User } from "@kubernetes/client-node";
import { ExecAuth } from "@kubernetes/client-node/dist/exec_auth.js";
import { parse } from "yaml";
import type { Credentials, RestConfig } from "./rest.js";

/** How often a token file (`tokenFile`) is re-read, as client-go does. */
const tokenFileRefreshMs = 60_000;
/** How often an exec credential plugin is asked again at most (sooner after a 401). */
const execRefreshMs = 60_000;

/**
 * Reads a kubeconfig file as kubectl does, through @kubernetes/client-node's KubeConfig, and returns how to reach the
 * server of `context` (default: the current context): server URL, CA (file or inline data),
 * `insecure-skip-tls-verify`, `tls-server-name`, and the user's credential — client certificate and key (files or
 * inline data), bearer `token`, `tokenFile` (re-read every minute), `exec` credential plugins (run again when their
 * credential expires or the server answers 401) or username and password. Relative paths are relative to the file.
 * Throws an Error naming the file for a missing context, cluster or server.
 */
export async function loadKubeconfig(path: string, context?: string): Promise<RestConfig> {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (error) {
    throw new Error(`kubeconfig ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const ctxName = context ?? kc.getCurrentContext();
  const ctx = ctxName ? kc.getContextObject(ctxName) : null;
  if (!ctx) throw new Error(`kubeconfig ${path}: context "${ctxName ?? ""}" not found`);
  kc.setCurrentContext(ctx.name);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new Error(`kubeconfig ${path}: cluster "${ctx.cluster}" has no server`);
  const user = kc.getCurrentUser() ?? undefined;
  const config: RestConfig = {
    server: cluster.server,
    caCert: await fileOrData(cluster.caFile, cluster.caData),
    insecureSkipTlsVerify: cluster.skipTLSVerify || undefined,
    tlsServerName: cluster.tlsServerName,
  };
  if (!user) return config;
  config.clientCert = await fileOrData(user.certFile, user.certData);
  config.clientKey = await fileOrData(user.keyFile, user.keyData);
  const tokenFile = await rawTokenFile(path, user.name);
  if (user.exec !== undefined || user.authProvider !== undefined) config.credentials = execCredentials(user);
  else if (user.token) config.token = user.token;
  else if (tokenFile) config.credentials = tokenFileCredentials(resolve(dirname(resolve(path)), tokenFile));
  else if (user.username !== undefined) config.credentials = staticCredentials(`Basic ${Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")}`);
  return config;
}

async function fileOrData(file: string | undefined, data: string | undefined): Promise<string | undefined> {
  if (file) return readFile(file, "utf8");
  return data ? Buffer.from(data, "base64").toString("utf8") : undefined;
}

/** The `tokenFile` of user `name` (KubeConfig does not read this field of client-go's kubeconfig). */
async function rawTokenFile(path: string, name: string): Promise<string | undefined> {
  const doc = parse(await readFile(path, "utf8")) as { users?: { name?: string; user?: { tokenFile?: unknown } }[] } | null;
  const file = doc?.users?.find((u) => u.name === name)?.user?.tokenFile;
  return typeof file === "string" && file !== "" ? file : undefined;
}

function staticCredentials(authorization: string): Credentials {
  return { authorization: () => Promise.resolve(authorization), invalidate: () => undefined };
}

/** A Credentials source that caches what `fetch` produced for `ttlMs`, or until invalidated. */
function cached(ttlMs: number, fetch: () => Promise<string | undefined>): Credentials {
  let value: Promise<string | undefined> | undefined;
  let fetchedAt = 0;
  return {
    authorization: () => {
      if (!value || Date.now() - fetchedAt > ttlMs) {
        fetchedAt = Date.now();
        value = fetch();
        value.catch(() => { value = undefined; });
      }
      return value;
    },
    invalidate: () => { value = undefined; },
  };
}

function tokenFileCredentials(file: string): Credentials {
  return cached(tokenFileRefreshMs, async () => `Bearer ${(await readFile(file, "utf8")).trim()}`);
}

function execCredentials(user: User): Credentials {
  const exec = new ExecAuth();
  if (!exec.isAuthProvider(user)) throw new Error(`kubeconfig user "${user.name}": unsupported auth-provider (only exec credential plugins are supported)`);
  return cached(execRefreshMs, async () => {
    const headers: Record<string, string | string[] | number | undefined> = {};
    const options: RequestOptions = { headers };
    await exec.applyAuthentication(user, options);
    if (options.cert !== undefined || options.key !== undefined) {
      throw new Error(`kubeconfig user "${user.name}": exec credential plugins that return client certificates are not supported`);
    }
    const header = headers.Authorization;
    return typeof header === "string" ? header : undefined;
  });
}
