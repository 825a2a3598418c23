/**
 * Signing and verifying ServiceAccount JSON Web Tokens (ES256), as kube-apiserver's token generator and its
 * ServiceAccount token authenticator do. Two forms: bound tokens (TokenRequest: `iss` the API server's issuer,
 * `aud`, `exp`, `iat`, `nbf`, `jti`, the private claim `kubernetes.io`) and legacy tokens (Secrets of type
 * kubernetes.io/service-account-token: `iss` `kubernetes/serviceaccount`, no expiry).
 */
import { createHash, createPublicKey, randomUUID } from "node:crypto";
import { errors, importPKCS8, importSPKI, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from "jose";

const alg = "ES256";

/** The issuer of legacy (Secret-based) tokens. */
export const legacyIssuer = "kubernetes/serviceaccount";

/** An object a token is bound to, or the ServiceAccount it names. */
export interface ObjectRef { name: string; uid: string }

/** The `kubernetes.io` claim of a bound token. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** Seconds since the epoch after which a pod-bound token with an extended lifetime should be refreshed. */
  warnafter?: number;
}

/** What a verified token says. */
export type VerifiedToken =
  | { form: "bound"; claim: KubernetesClaim; expiresAt: Date }
  | { form: "legacy"; namespace: string; serviceAccount: ObjectRef; secretName: string };

/** What a bound token is issued for. */
export interface BoundTokenRequest {
  claim: KubernetesClaim;
  audiences: string[];
  /** Issued-at and not-before. */
  now: Date;
  /** Lifetime in seconds. */
  expirationSeconds: number;
}

/** Issues and verifies the cluster's ServiceAccount tokens with one key pair. */
export class ServiceAccountJwt {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    private readonly keyId: string,
    /** The `iss` of bound tokens. */
    readonly issuer: string,
    /** The audiences the API server identifies as; the default `aud` of TokenRequests. */
    readonly audiences: string[],
  ) {}

  /** The issuer for PEM keys (PKCS#8 private, SPKI public, P-256); throws when they are unusable. */
  static async fromPem(keys: { privateKey: string; publicKey: string }, issuer: string, audiences: string[] = [issuer]): Promise<ServiceAccountJwt> {
    const der = createPublicKey(keys.publicKey).export({ type: "spki", format: "der" });
    const keyId = createHash("sha256").update(der).digest("base64url");
    return new ServiceAccountJwt(await importPKCS8(keys.privateKey, alg), await importSPKI(keys.publicKey, alg), keyId, issuer, audiences);
  }

  /** A signed bound token; its expiry is `now + expirationSeconds`. */
  async issue(request: BoundTokenRequest): Promise<string> {
    const iat = Math.floor(request.now.getTime() / 1000);
    const { claim } = request;
    return new SignJWT({ "kubernetes.io": claim as unknown as JWTPayload[string] })
      .setProtectedHeader({ alg, kid: this.keyId })
      .setIssuer(this.issuer).setSubject(`system:serviceaccount:${claim.namespace}:${claim.serviceaccount.name}`)
      .setAudience(request.audiences).setIssuedAt(iat).setNotBefore(iat).setExpirationTime(iat + request.expirationSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  /** A signed legacy token for the Secret `secretName` of the ServiceAccount `serviceAccount` (no expiry). */
  async issueLegacy(namespace: string, serviceAccount: ObjectRef, secretName: string): Promise<string> {
    return new SignJWT({
      "kubernetes.io/serviceaccount/namespace": namespace,
      "kubernetes.io/serviceaccount/secret.name": secretName,
      "kubernetes.io/serviceaccount/service-account.name": serviceAccount.name,
      "kubernetes.io/serviceaccount/service-account.uid": serviceAccount.uid,
    }).setProtectedHeader({ alg, kid: this.keyId }).setIssuer(legacyIssuer)
      .setSubject(`system:serviceaccount:${namespace}:${serviceAccount.name}`).sign(this.privateKey);
  }

  /**
   * The claims of a token this key signed that is valid at `now` for one of the API server's audiences; undefined
   * for anything else (another key or issuer, expired, not yet valid, another audience, malformed claims).
   */
  async verify(token: string, now: Date = new Date()): Promise<VerifiedToken | undefined> {
    if (token.split(".").length !== 3) return undefined;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, { algorithms: [alg], currentDate: now }));
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
    if (payload.iss === legacyIssuer) return legacyClaims(payload);
    if (payload.iss !== this.issuer || typeof payload.exp !== "number") return undefined;
    const aud = typeof payload.aud === "string" ? [payload.aud] : payload.aud ?? [];
    if (!aud.some((a) => this.audiences.includes(a))) return undefined;
    const claim = kubernetesClaim(payload["kubernetes.io"]);
    if (!claim || payload.sub !== `system:serviceaccount:${claim.namespace}:${claim.serviceaccount.name}`) return undefined;
    return { form: "bound", claim, expiresAt: new Date(payload.exp * 1000) };
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function objectRef(v: unknown): ObjectRef | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const r = v as Record<string, unknown>;
  const name = str(r.name);
  const uid = str(r.uid);
  return name !== undefined && uid !== undefined ? { name, uid } : undefined;
}

function kubernetesClaim(v: unknown): KubernetesClaim | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const c = v as Record<string, unknown>;
  const namespace = str(c.namespace);
  const serviceaccount = objectRef(c.serviceaccount);
  if (namespace === undefined || serviceaccount === undefined) return undefined;
  const out: KubernetesClaim = { namespace, serviceaccount };
  for (const key of ["pod", "secret", "node"] as const) {
    if (c[key] === undefined) continue;
    const ref = objectRef(c[key]);
    if (ref === undefined) return undefined;
    out[key] = ref;
  }
  return out;
}

function legacyClaims(p: JWTPayload): VerifiedToken | undefined {
  const namespace = str(p["kubernetes.io/serviceaccount/namespace"]);
  const secretName = str(p["kubernetes.io/serviceaccount/secret.name"]);
  const name = str(p["kubernetes.io/serviceaccount/service-account.name"]);
  const uid = str(p["kubernetes.io/serviceaccount/service-account.uid"]);
  if (namespace === undefined || secretName === undefined || name === undefined || uid === undefined) return undefined;
  if (p.sub !== `system:serviceaccount:${namespace}:${name}`) return undefined;
  return { form: "legacy", namespace, serviceAccount: { name, uid }, secretName };
}
