/**
 * Reads a kubeconfig file as kubectl does and resolves one of its contexts to how to reach the server. Errors
 * use client-go's (kubectl's) wording and name the file.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { basicCredentials, execCredentials, parseExecConfig, tokenFileCredentials } from "./kubeconfig-credentials.js";
import type { RestConfig } from "./rest.js";

/** A context of a kubeconfig resolved to a server and credential. */
export interface KubeconfigTarget {
  /** The server, its CA and the user's credential. */
  rest: RestConfig;
  /** The name of the context used. */
  context: string;
  /** The context's namespace, if it names one. */
  namespace?: string;
}

type Fields = Record<string, unknown>;

/** A malformed document (wrong types, bad base64): reported as kubectl's "error loading config file". */
class LoadError extends Error {}

/**
 * Reads the kubeconfig at `path` and resolves `context` (default: its current-context): the cluster's `server`,
 * `certificate-authority` or `-data`, `insecure-skip-tls-verify` and `tls-server-name`; the user's client
 * certificate and key (files or `-data`), `token`, `tokenFile` (re-read every minute), `exec` credential plugin
 * (run again when its credential expires or the server answers 401) or `username`/`password`. Relative paths are
 * relative to the file's directory. Throws an Error naming the file and what is missing or wrong.
 */
export async function readKubeconfig(path: string, context?: string): Promise<KubeconfigTarget> {
  const doc = await loadDocument(path);
  try {
    return await resolveContext(doc, path, context);
  } catch (error) {
    if (error instanceof LoadError) throw new Error(`error loading config file "${path}": ${error.message}`);
    throw error;
  }
}

async function resolveContext(doc: Fields, path: string, context: string | undefined): Promise<KubeconfigTarget> {
  const dir = dirname(resolve(path));
  const fail = (message: string): Error => new Error(`kubeconfig ${path}: ${message}`);
  const contextName = context !== undefined && context !== "" ? context : optionalString(doc, "current-context", "config");
  if (contextName === undefined || contextName === "") throw fail("no context chosen: set current-context or pass --context");
  const ctx = named(doc, "contexts", "context", contextName);
  if (!ctx) throw fail(`context was not found for specified context: ${contextName}`);
  const clusterName = optionalString(ctx, "cluster", `context "${contextName}"`) ?? "";
  const userName = optionalString(ctx, "user", `context "${contextName}"`) ?? "";
  const cluster = named(doc, "clusters", "cluster", clusterName);
  if (!cluster) throw fail(`cluster "${clusterName}" was not found for context "${contextName}"`);
  const user = userName === "" ? {} : named(doc, "users", "user", userName);
  if (!user) throw fail(`user "${userName}" was not found for context "${contextName}"`);

  const errors: string[] = [];
  const rest = await clusterConfig(cluster, clusterName, dir, errors);
  await userConfig(rest, user, userName, dir, errors);
  if (errors.length === 1) throw fail(errors[0] ?? "");
  if (errors.length > 1) throw fail(`invalid configuration:\n${errors.map((e) => `* ${e}`).join("\n")}`);
  const namespace = optionalString(ctx, "namespace", `context "${contextName}"`);
  return { rest, context: contextName, namespace: namespace === "" ? undefined : namespace };
}

/** `readKubeconfig(path, context).rest`: how to reach the server of `context` (default: the current context). */
export async function loadKubeconfig(path: string, context?: string): Promise<RestConfig> {
  return (await readKubeconfig(path, context)).rest;
}

async function loadDocument(path: string): Promise<Fields> {
  try {
    const doc: unknown = parse(await readFile(path, "utf8"));
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== "object" || Array.isArray(doc)) throw new LoadError("the document is not a mapping");
    return doc as Fields;
  } catch (error) {
    throw new Error(`error loading config file "${path}": ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function clusterConfig(cluster: Fields, name: string, dir: string, errors: string[]): Promise<RestConfig> {
  const where = `cluster "${name}"`;
  const server = optionalString(cluster, "server", where) ?? "";
  if (server === "") errors.push(`no server found for cluster "${name}"`);
  const insecure = cluster["insecure-skip-tls-verify"];
  if (insecure !== undefined && typeof insecure !== "boolean") throw new LoadError(`insecure-skip-tls-verify of ${where} must be true or false`);
  const caFile = optionalString(cluster, "certificate-authority", where);
  const caData = base64Field(cluster, "certificate-authority-data", where);
  if (caFile && caData !== undefined) errors.push(`certificate-authority-data and certificate-authority are both specified for ${name}. certificate-authority-data will override.`);
  if (insecure === true && (caFile || caData !== undefined)) errors.push("specifying a root certificates file with the insecure flag is not allowed");
  const caCert = caData ?? (caFile ? await readNamed("certificate-authority", resolve(dir, caFile), name, errors) : undefined);
  const tlsServerName = optionalString(cluster, "tls-server-name", where);
  return { server, caCert, insecureSkipTlsVerify: insecure === true || undefined, tlsServerName: tlsServerName || undefined };
}

async function userConfig(config: RestConfig, user: Fields, name: string, dir: string, errors: string[]): Promise<void> {
  const where = `user "${name}"`;
  const certFile = optionalString(user, "client-certificate", where);
  const certData = base64Field(user, "client-certificate-data", where);
  const keyFile = optionalString(user, "client-key", where);
  const keyData = base64Field(user, "client-key-data", where);
  const hasCert = Boolean(certFile) || certData !== undefined;
  const hasKey = Boolean(keyFile) || keyData !== undefined;
  if (hasCert || hasKey) {
    if (certFile && certData !== undefined) errors.push(`client-cert-data and client-cert are both specified for ${name}. client-cert-data will override.`);
    if (keyFile && keyData !== undefined) errors.push(`client-key-data and client-key are both specified for ${name}; client-key-data will override`);
    if (!hasKey) errors.push(`client-key-data or client-key must be specified for ${name} to use the clientCert authentication method.`);
    if (!hasCert) errors.push(`client-cert-data or client-cert must be specified for ${name} to use the clientCert authentication method.`);
    config.clientCert = certData ?? (certFile ? await readNamed("client-cert", resolve(dir, certFile), name, errors) : undefined);
    config.clientKey = keyData ?? (keyFile ? await readNamed("client-key", resolve(dir, keyFile), name, errors) : undefined);
  }
  const token = optionalString(user, "token", where);
  const tokenFile = optionalString(user, "tokenFile", where);
  const username = optionalString(user, "username", where);
  const password = optionalString(user, "password", where);
  const methods = [...(token ? ["token"] : []), ...(username || password ? ["basicAuth"] : [])];
  if (methods.length > 1) errors.push(`more than one authentication method found for ${name}; found [${methods.join(" ")}], only one is allowed`);
  if (user["auth-provider"] !== undefined) errors.push(`user "${name}": auth-provider plugins are not supported (use an exec credential plugin)`);
  if (user.exec !== undefined && user.exec !== null) {
    const exec = parseExecConfig(user.exec, name, dir, errors);
    if (exec) config.credentials = execCredentials(exec, config);
  } else if (token) {
    config.token = token;
  } else if (tokenFile) {
    const file = resolve(dir, tokenFile);
    if ((await readNamed("tokenFile", file, name, errors)) !== undefined) config.credentials = tokenFileCredentials(file);
  } else if (username || password) {
    config.credentials = basicCredentials(username ?? "", password ?? "");
  }
}

/** Reads `file`, or records client-go's "unable to read KIND FILE for NAME due to ..." and returns undefined. */
async function readNamed(kind: string, file: string, name: string, errors: string[]): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    errors.push(`unable to read ${kind} ${file} for ${name} due to ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** The `inner` mapping of the entry called `name` in the list `list` (`clusters`/`cluster` …), if there is one. */
function named(doc: Fields, list: string, inner: string, name: string): Fields | undefined {
  const entries = doc[list];
  if (entries === undefined || entries === null) return undefined;
  if (!Array.isArray(entries)) throw new LoadError(`${list} must be a list`);
  for (const entry of entries as unknown[]) {
    if (!isFields(entry)) throw new LoadError(`every entry of ${list} must be a mapping`);
    if (entry.name !== name) continue;
    const value = entry[inner];
    if (value === undefined || value === null) return {};
    if (!isFields(value)) throw new LoadError(`${inner} of ${list} entry "${name}" must be a mapping`);
    return value;
  }
  return undefined;
}

function optionalString(fields: Fields, key: string, where: string): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new LoadError(`${key} of ${where} must be a string`);
  return value;
}

/** A `*-data` field decoded strictly as standard base64 (line breaks ignored, as Go does), or undefined if absent. */
function base64Field(fields: Fields, key: string, where: string): string | undefined {
  const value = optionalString(fields, key, where);
  if (value === undefined || value === "") return undefined;
  const text = value.replace(/[\r\n]/g, "");
  const bad = text.search(/[^A-Za-z0-9+/=]/);
  const padding = text.indexOf("=");
  if (bad >= 0) throw new LoadError(`${key} of ${where}: illegal base64 data at input byte ${bad}`);
  if (text.length % 4 !== 0 || (padding >= 0 && padding < text.length - 2) || /=[^=]/.test(text)) {
    throw new LoadError(`${key} of ${where}: illegal base64 data at input byte ${padding >= 0 ? padding : text.length - (text.length % 4)}`);
  }
  return Buffer.from(text, "base64").toString("utf8");
}

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
