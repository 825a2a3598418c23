/**
 * `POST .../serviceaccounts/<name>/token` (TokenRequest, `kubectl create token`): a signed token for the
 * ServiceAccount, optionally bound to a Pod or Secret of its namespace, as kube-apiserver's TokenREST answers.
 */
import { mustFindResource } from "../../api/resources.js";
import { checkFields, pruneUnknownFields } from "../../api/schema/index.js";
import { badRequest, conflict, fieldErrors, forbidden, invalid, isStatus, statusError, type FieldError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import { isPlainObject } from "../../util/json.js";
import type { KubernetesClaim, ObjectRef, ServiceAccountJwt } from "./service-account-jwt.js";

const tokenRequestKind = { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" };
const tokenRequestRef = { group: "authentication.k8s.io", resource: "", kind: "TokenRequest" };
const serviceAccounts = mustFindResource("", "serviceaccounts");
const pods = mustFindResource("", "pods");
const secrets = mustFindResource("", "secrets");
const nodes = mustFindResource("", "nodes");

/** Lifetime of a token whose request names none (upstream's default). */
export const defaultExpirationSeconds = 3600;
/** Shortest lifetime a TokenRequest may ask for. */
export const minExpirationSeconds = 600;
const maxExpirationSeconds = 2 ** 32;
/** The lifetime the ServiceAccount admission plugin asks for; such pod-bound tokens get a year, warning after it. */
export const warnOnlyExpirationSeconds = 3607;
const extendedExpirationSeconds = 365 * 24 * 3600;

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function metaOf(o: KubeObject): { name: string; uid: string; namespace: string } {
  const m = isPlainObject(o.metadata) ? o.metadata : {};
  return { name: str(m.name), uid: str(m.uid), namespace: str(m.namespace) };
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The request body as a TokenRequest: mistyped values are a 400, unknown fields dropped. */
function decode(body: KubeObject): KubeObject {
  const { typeErrors } = checkFields(tokenRequestKind, body);
  if (typeErrors.length > 0) throw badRequest(`TokenRequest in version "v1" cannot be handled as a TokenRequest: ${typeErrors[0] ?? ""}`);
  pruneUnknownFields(tokenRequestKind, body);
  return body;
}

/** Static validation of the spec, after defaulting (422 as upstream). */
function validate(expirationSeconds: number): void {
  const errs: FieldError[] = [];
  if (expirationSeconds < minExpirationSeconds) errs.push(fieldErrors.invalid("spec.expirationSeconds", expirationSeconds, "may not specify a duration less than 10 minutes"));
  if (expirationSeconds > maxExpirationSeconds) errs.push(fieldErrors.invalid("spec.expirationSeconds", expirationSeconds, "may not specify a duration larger than 2^32 seconds"));
  if (errs.length > 0) throw invalid(tokenRequestRef, "", errs);
}

/** What the bound object reference resolves to: the claim entries it adds. */
async function resolveBinding(client: Client, namespace: string, saName: string, ref: Record<string, unknown>): Promise<Pick<KubernetesClaim, "pod" | "secret" | "node">> {
  const kind = str(ref.kind);
  const apiVersion = str(ref.apiVersion);
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  const name = str(ref.name);
  const out: Pick<KubernetesClaim, "pod" | "secret" | "node"> = {};
  let uid: string;
  if (group === "" && kind === "Pod") {
    const pod = await client.get(pods, namespace, name);
    const spec = isPlainObject(pod.spec) ? pod.spec : {};
    if (str(spec.serviceAccountName) !== saName) throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
    uid = metaOf(pod).uid;
    out.pod = { name, uid };
    const nodeName = str(spec.nodeName);
    if (nodeName !== "") out.node = await nodeRef(client, nodeName);
  } else if (group === "" && kind === "Secret") {
    uid = metaOf(await client.get(secrets, namespace, name)).uid;
    out.secret = { name, uid };
  } else if (group === "" && kind === "Node") {
    uid = metaOf(await client.get(nodes, undefined, name)).uid;
    out.node = { name, uid };
  } else {
    const gvk = group === "" ? `/${apiVersion}, Kind=${kind}` : `${group}/${apiVersion.slice(group.length + 1)}, Kind=${kind}`;
    throw badRequest(`cannot bind token to object of type ${gvk}`);
  }
  const wanted = str(ref.uid);
  if (wanted !== "" && wanted !== uid) {
    throw conflict({ group, resource: kind, kind }, name, `the UID in the bound object reference (${wanted}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  return out;
}

/** The node a pod runs on; only its name when the Node is gone (as upstream embeds it). */
async function nodeRef(client: Client, name: string): Promise<ObjectRef> {
  try {
    return { name, uid: metaOf(await client.get(nodes, undefined, name)).uid };
  } catch (error) {
    if (isStatus(error, 404)) return { name, uid: "" };
    throw error;
  }
}

/**
 * NodeRestriction's check of a node's TokenRequest: the token must be bound to a Pod (with its uid) that is
 * bound to the node; 403 with upstream's messages otherwise, 404 when the pod does not exist.
 */
async function admitNodeTokenRequest(client: Client, nodeName: string, namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  const ref = isPlainObject(spec.boundObjectRef) ? spec.boundObjectRef : undefined;
  const refuse = (why: string): Error => forbidden(serviceAccounts, name, why);
  if (!ref || str(ref.apiVersion) !== "v1" || str(ref.kind) !== "Pod" || str(ref.name) === "") throw refuse("node requested token not bound to a pod");
  if (str(ref.uid) === "") throw refuse("node requested token with a pod binding without a uid");
  const pod = await client.get(pods, namespace, str(ref.name));
  if (metaOf(pod).uid !== str(ref.uid)) {
    throw refuse(`the UID in the bound object reference (${str(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  const podSpec = isPlainObject(pod.spec) ? pod.spec : {};
  if (str(podSpec.nodeName) !== nodeName) throw refuse("node requested token bound to a pod scheduled on a different node");
}

/**
 * Answers a TokenRequest `body` for the ServiceAccount `name` in `namespace`: the request echoed with its spec
 * defaulted and `status.token`/`status.expirationTimestamp`. Objects are read through `client`; 4xx Status for
 * bad input, 404 for a missing ServiceAccount or bound object. `node` names the node making the request, when a
 * node identity does (its tokens must be bound to its own pods).
 */
export async function answerTokenRequest(client: Client, jwt: ServiceAccountJwt, namespace: string, name: string, body: KubeObject, now: Date, node?: string): Promise<KubeObject> {
  const req = decode(body);
  const meta = isPlainObject(req.metadata) ? req.metadata : {};
  if (str(meta.name) !== "" && meta.name !== name) {
    throw invalid(tokenRequestRef, name, [fieldErrors.invalid("metadata.name", meta.name, "must match the service account name if specified")]);
  }
  if (str(meta.namespace) !== "" && meta.namespace !== namespace) {
    throw invalid(tokenRequestRef, name, [fieldErrors.invalid("metadata.namespace", meta.namespace, "must match the service account namespace if specified")]);
  }
  const sa = metaOf(await client.get(serviceAccounts, namespace, name));
  if (str(meta.uid) !== "" && meta.uid !== sa.uid) {
    throw conflict({ group: "authentication.k8s.io", resource: "TokenRequest", kind: "TokenRequest" }, name, `the UID in the token request (${str(meta.uid)}) does not match the UID of the service account (${sa.uid})`);
  }
  const spec = isPlainObject(req.spec) ? req.spec : {};
  if (node !== undefined) await admitNodeTokenRequest(client, node, namespace, name, spec);
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences.map(str) : [...jwt.audiences];
  const expirationSeconds = typeof spec.expirationSeconds === "number" ? spec.expirationSeconds : defaultExpirationSeconds;
  validate(expirationSeconds);
  const ref = isPlainObject(spec.boundObjectRef) ? spec.boundObjectRef : undefined;
  const bound = ref ? await resolveBinding(client, namespace, name, ref) : {};
  const claim: KubernetesClaim = { namespace, serviceaccount: { name, uid: sa.uid }, ...bound };
  if (claim.node?.uid === "") claim.node = undefined;
  let lifetime = expirationSeconds;
  if (bound.pod && expirationSeconds === warnOnlyExpirationSeconds && audiences.every((a) => jwt.audiences.includes(a))) {
    claim.warnafter = Math.floor(now.getTime() / 1000) + expirationSeconds;
    lifetime = extendedExpirationSeconds;
  }
  const token = await jwt.issue({ claim, audiences, now, expirationSeconds: lifetime });
  return {
    kind: "TokenRequest", apiVersion: "authentication.k8s.io/v1",
    metadata: { name, namespace, creationTimestamp: timestamp(now) },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
    status: { token, expirationTimestamp: timestamp(new Date(now.getTime() + expirationSeconds * 1000)) },
  };
}

/** 404 as upstream answers a subresource the server does not serve. */
export function tokensNotServed(): Error {
  return statusError(404, "NotFound", "the server could not find the requested resource");
}
