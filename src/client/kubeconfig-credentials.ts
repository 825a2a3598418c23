/**
 * The credentials of a kubeconfig user that change over time: a `tokenFile` re-read every minute, an `exec`
 * credential plugin (client.authentication.k8s.io) run again when its credential expires or the server answers
 * 401, and static basic authentication.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve, sep } from "node:path";
import type { Credentials, RestConfig } from "./rest.js";

/** How often a token file (`tokenFile`) is re-read, as client-go does. */
const tokenFileRefreshMs = 60_000;
const execApiVersions = new Set(["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]);

/** The `exec` section of a kubeconfig user. */
export interface ExecConfig {
  /** The user's name, for messages. */
  user: string;
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  provideClusterInfo: boolean;
}

/**
 * Validates a user's `exec` section with client-go's messages (pushed onto `errors`); resolves a relative command
 * path with a directory part against `dir`. Returns undefined when it is unusable.
 */
export function parseExecConfig(raw: unknown, user: string, dir: string, errors: string[]): ExecConfig | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    errors.push(`exec of user "${user}" must be a mapping`);
    return undefined;
  }
  const f = raw as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === "string" ? v : "");
  const command = str(f.command);
  const apiVersion = str(f.apiVersion);
  const before = errors.length;
  if (command === "") errors.push(`command must be specified for ${user} to use exec authentication plugin`);
  if (apiVersion === "") errors.push(`apiVersion must be specified for ${user} to use exec authentication plugin`);
  else if (!execApiVersions.has(apiVersion)) errors.push(`exec plugin: invalid apiVersion "${apiVersion}"`);
  if (f.interactiveMode === "Always") errors.push(`exec plugin for ${user} needs interactive mode Always, but standard input is not a terminal here`);
  const args = Array.isArray(f.args) ? f.args.map(str) : [];
  const env: ExecConfig["env"] = [];
  for (const e of Array.isArray(f.env) ? (f.env as unknown[]) : []) {
    const entry = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
    if (str(entry.name) === "") errors.push(`env variable name must be specified for ${user} to use exec authentication plugin`);
    else env.push({ name: str(entry.name), value: str(entry.value) });
  }
  if (errors.length > before) return undefined;
  const resolved = !isAbsolute(command) && command.includes(sep) ? resolve(dir, command) : command;
  return { user, command: resolved, args, env, apiVersion, provideClusterInfo: f.provideClusterInfo === true };
}

/** Static `Basic` credentials for `username`/`password`. */
export function basicCredentials(username: string, password: string): Credentials {
  const header = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  return { authorization: () => Promise.resolve(header), invalidate: () => undefined };
}

/** The bearer token in `file`, read on first use, again every minute and after a 401. */
export function tokenFileCredentials(file: string): Credentials {
  return cached(async () => ({ header: `Bearer ${(await readFile(file, "utf8")).trim()}`, expiresAt: Date.now() + tokenFileRefreshMs }));
}

/**
 * The credential an exec plugin prints (an ExecCredential of `exec.apiVersion`); the plugin runs again when the
 * credential's expirationTimestamp has passed or after a 401. `cluster` is passed to the plugin when
 * `provideClusterInfo` is set. Plugins that return client certificates are refused.
 */
export function execCredentials(exec: ExecConfig, cluster: RestConfig): Credentials {
  return cached(async () => {
    const out = await runPlugin(exec, cluster);
    let credential: { apiVersion?: unknown; kind?: unknown; status?: { token?: unknown; expirationTimestamp?: unknown; clientCertificateData?: unknown } };
    try {
      credential = JSON.parse(out) as typeof credential;
    } catch (error) {
      throw new Error(`exec plugin for ${exec.user}: decoding stdout: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (credential.apiVersion !== exec.apiVersion) {
      throw new Error(`exec plugin for ${exec.user} is configured to use API version ${exec.apiVersion}, plugin returned version ${String(credential.apiVersion)}`);
    }
    const status = credential.status ?? {};
    if (status.clientCertificateData !== undefined) throw new Error(`exec plugin for ${exec.user}: plugins that return client certificates are not supported`);
    if (typeof status.token !== "string" || status.token === "") throw new Error(`exec plugin for ${exec.user} didn't return a token`);
    const expires = typeof status.expirationTimestamp === "string" ? Date.parse(status.expirationTimestamp) : Number.NaN;
    return { header: `Bearer ${status.token}`, expiresAt: Number.isNaN(expires) ? Number.POSITIVE_INFINITY : expires };
  });
}

function runPlugin(exec: ExecConfig, cluster: RestConfig): Promise<string> {
  const spec: Record<string, unknown> = { interactive: false };
  if (exec.provideClusterInfo) {
    spec.cluster = {
      server: cluster.server,
      ...(cluster.caCert !== undefined ? { "certificate-authority-data": Buffer.from(cluster.caCert).toString("base64") } : {}),
      ...(cluster.insecureSkipTlsVerify ? { "insecure-skip-tls-verify": true } : {}),
      ...(cluster.tlsServerName !== undefined ? { "tls-server-name": cluster.tlsServerName } : {}),
    };
  }
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion: exec.apiVersion, kind: "ExecCredential", spec }) };
  for (const e of exec.env) env[e.name] = e.value;
  return new Promise((done, fail) => {
    const child = spawn(exec.command, exec.args, { env, stdio: ["ignore", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.on("error", (error) => fail(new Error(`exec plugin for ${exec.user}: ${error.message}`)));
    child.on("close", (code) => {
      if (code === 0) done(Buffer.concat(chunks).toString("utf8"));
      else fail(new Error(`exec plugin for ${exec.user}: ${exec.command} exited with code ${String(code)}`));
    });
  });
}

/** Credentials that keep what `fetch` produced until it expires or is invalidated; a failed fetch is retried. */
function cached(fetch: () => Promise<{ header: string; expiresAt: number }>): Credentials {
  let value: Promise<{ header: string; expiresAt: number }> | undefined;
  return {
    authorization: async () => {
      if (value) {
        const held = value;
        const got = await held.catch(() => undefined);
        if (got && got.expiresAt > Date.now()) return got.header;
        if (value === held) value = undefined;
      }
      value ??= fetch();
      const pending = value;
      try {
        return (await pending).header;
      } catch (error) {
        if (value === pending) value = undefined;
        throw error;
      }
    },
    invalidate: () => { value = undefined; },
  };
}
