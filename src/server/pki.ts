import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { existsSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";

/** PEM material for serving HTTPS and for clients to trust it. */
export interface ServingPki {
  caCert: string;
  cert: string;
  key: string;
  /**
   * Why the cluster CA was created anew although the directory held PKI before (its key or certificate was missing or
   * unusable); undefined when the CA was loaded, or created in an empty directory.
   */
  caRenewed?: string;
}

/** The cluster CA: its PEM certificate and its key pair (the private key signs serving and client certificates). */
export interface ClusterCa {
  certPem: string;
  keys: CryptoKeyPair;
}

const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** Paths of the PKI files in `dir`. */
function pkiPaths(dir: string): { caCert: string; caKey: string; cert: string; key: string; hosts: string } {
  return { caCert: join(dir, "ca.crt"), caKey: join(dir, "ca.key"), cert: join(dir, "server.crt"), key: join(dir, "server.key"), hosts: join(dir, "server.hosts") };
}

function useWebCrypto(): void {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
}

/** Loads the cluster CA of the PKI directory `dir`; throws when its certificate or key is missing or unusable. */
export async function loadClusterCa(dir: string): Promise<ClusterCa> {
  const paths = pkiPaths(dir);
  return parseClusterCa(await readFile(paths.caCert, "utf8"), await readFile(paths.caKey, "utf8"));
}

/** The cluster CA of a PEM certificate and PKCS#8 key; throws when they are unusable or do not belong together. */
export async function parseClusterCa(certPem: string, keyPem: string): Promise<ClusterCa> {
  useWebCrypto();
  const keys = await importKeyPair(keyPem, certPem);
  const probe = new Uint8Array([1, 2, 3]);
  const signature = await webcrypto.subtle.sign(alg, keys.privateKey, probe);
  if (!(await webcrypto.subtle.verify(alg, keys.publicKey, signature, probe))) throw new Error("the CA key does not belong to the CA certificate");
  return { certPem, keys };
}

/**
 * Loads the CA and serving certificate from `dir`, creating them on first use.
 * The serving certificate covers 127.0.0.1, localhost and `extraHosts`; it is re-issued when a requested host is
 * missing from it, when it or its key is missing, or when the CA did not sign it. A CA whose certificate or key is
 * missing or unusable is replaced by a new one (reported in `caRenewed`), and the serving certificate with it.
 * Private keys are written with mode 0600.
 */
export async function ensureServingPki(dir: string, extraHosts: string[]): Promise<ServingPki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  useWebCrypto();
  const paths = pkiPaths(dir);
  const hosts = [...new Set(["127.0.0.1", "localhost", ...extraHosts.filter((h) => h && h !== "0.0.0.0" && h !== "::")])].sort();

  let ca: ClusterCa | undefined;
  let caRenewed: string | undefined;
  const hadCa = existsSync(paths.caCert) || existsSync(paths.caKey);
  if (existsSync(paths.caCert) && existsSync(paths.caKey)) {
    try {
      ca = await loadClusterCa(dir);
    } catch (error) {
      caRenewed = `${paths.caCert} or ${paths.caKey} could not be used (${error instanceof Error ? error.message : String(error)})`;
    }
  } else if (hadCa) {
    caRenewed = `${existsSync(paths.caKey) ? paths.caCert : paths.caKey} was missing`;
  }
  if (!ca) {
    ca = await createCa();
    await writeSecret(paths.caKey, await exportKeyPem(ca.keys.privateKey));
    await writeFile(paths.caCert, ca.certPem);
  }

  const haveHosts = existsSync(paths.hosts) ? (await readFile(paths.hosts, "utf8")).trim() : "";
  if (existsSync(paths.cert) && existsSync(paths.key) && haveHosts === hosts.join(",")) {
    const cert = await readFile(paths.cert, "utf8");
    if (await signedBy(cert, ca)) return { caCert: ca.certPem, cert, key: await readFile(paths.key, "utf8"), caRenewed };
  }
  const issued = await issueCertificate(ca, {
    subject: "CN=everynode-apiserver", lifetimeDays: 5 * 365, usage: x509.ExtendedKeyUsage.serverAuth,
    extensions: [new x509.SubjectAlternativeNameExtension(hosts.map((h) => (isIP(h) ? { type: "ip" as const, value: h } : { type: "dns" as const, value: h })))],
  });
  await writeSecret(paths.key, issued.key);
  await writeFile(paths.cert, issued.cert);
  await writeFile(paths.hosts, hosts.join(","));
  return { caCert: ca.certPem, cert: issued.cert, key: issued.key, caRenewed };
}

async function createCa(): Promise<ClusterCa> {
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=everynode-ca", keys, signingAlgorithm: alg,
    notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 10 * 365 * 86400_000),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { certPem: cert.toString("pem"), keys };
}

async function signedBy(certPem: string, ca: ClusterCa): Promise<boolean> {
  try {
    const cert = new x509.X509Certificate(certPem);
    return await cert.verify({ publicKey: ca.keys.publicKey as unknown as x509.PublicKeyType, signatureOnly: true });
  } catch {
    return false;
  }
}

/** Extended key usage of client certificates (TLS client authentication). */
export const clientAuthUsage: string = x509.ExtendedKeyUsage.clientAuth;

/** What a leaf certificate is issued for. */
export interface LeafCertificateRequest {
  /** Distinguished name: `CN=everynode-apiserver`, or `[{ CN: ["system:node:n1"] }, { O: ["system:nodes"] }]`. */
  subject: string | x509.JsonName;
  lifetimeDays: number;
  /** Extended key usage: server or client authentication. */
  usage: string;
  extensions?: x509.Extension[];
}

/** Issues a certificate signed by `ca` for a fresh P-256 key; returns both as PEM. */
export async function issueCertificate(ca: ClusterCa, request: LeafCertificateRequest): Promise<{ cert: string; key: string }> {
  useWebCrypto();
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]) as CryptoKeyPair;
  const issuer = new x509.X509Certificate(ca.certPem);
  const cert = await x509.X509CertificateGenerator.create({
    subject: request.subject, issuer: issuer.subject, serialNumber: randomBytes(16).toString("hex").replace(/^[89a-f]/, "1"),
    publicKey: keys.publicKey as unknown as x509.PublicKeyType,
    signingKey: ca.keys.privateKey as unknown as Parameters<typeof x509.X509CertificateGenerator.create>[0] extends { signingKey: infer K } ? K : never,
    signingAlgorithm: alg, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + request.lifetimeDays * 86400_000),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([request.usage]),
      ...(request.extensions ?? []),
    ],
  });
  return { cert: cert.toString("pem"), key: await exportKeyPem(keys.privateKey) };
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n")}-----END PRIVATE KEY-----\n`;
}

async function importKeyPair(keyPem: string, certPem: string): Promise<CryptoKeyPair> {
  const der = Buffer.from(keyPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  const privateKey = await webcrypto.subtle.importKey("pkcs8", der, alg, true, ["sign"]);
  const publicKey = await new x509.X509Certificate(certPem).publicKey.export(alg, ["verify"]);
  return { privateKey, publicKey } as CryptoKeyPair;
}

/**
 * Writes a file readable only by its owner (0600), also when it already existed. The write is atomic (a synced
 * temporary file renamed over `path`): readers see the old or the new content, never a mix, and the data is
 * never readable by others, not even briefly.
 */
export async function writeSecret(path: string, data: string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const file = await open(tmp, "wx", 0o600);
    try {
      await file.chmod(0o600);
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A key pair and certificate in PEM. */
export interface CertificatePem { cert: string; key: string }

/**
 * A certificate for `subject` (a CN) signed by the CA in `dir` (created by ensureServingPki), for client
 * authentication; loaded from `dir/<file>.crt|key` when issued before.
 */
export async function ensureClientCertificate(dir: string, file: string, subject: string): Promise<CertificatePem> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const certPath = join(dir, `${file}.crt`);
  const keyPath = join(dir, `${file}.key`);
  if (existsSync(certPath) && existsSync(keyPath)) return { cert: await readFile(certPath, "utf8"), key: await readFile(keyPath, "utf8") };
  const caCertPem = await readFile(join(dir, "ca.crt"), "utf8");
  const caKeys = await importKeyPair(await readFile(join(dir, "ca.key"), "utf8"), caCertPem);
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${subject}`, issuer: new x509.X509Certificate(caCertPem).subject, publicKey: keys.publicKey as unknown as x509.PublicKeyType,
    signingKey: caKeys.privateKey as unknown as Parameters<typeof x509.X509CertificateGenerator.create>[0] extends { signingKey: infer K } ? K : never,
    signingAlgorithm: alg, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 5 * 365 * 86400_000),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  const out = { cert: cert.toString("pem"), key: await exportKeyPem(keys.privateKey) };
  await writeSecret(keyPath, out.key);
  await writeFile(certPath, out.cert);
  return out;
}

/** A self-signed serving certificate for `hosts` (IPs or names), e.g. an agent's endpoint. */
export async function selfSignedServingCertificate(subject: string, hosts: readonly string[]): Promise<CertificatePem> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${subject}`, keys, signingAlgorithm: alg, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 365 * 86400_000),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((h) => (isIP(h) ? { type: "ip" as const, value: h } : { type: "dns" as const, value: h }))),
    ],
  });
  return { cert: cert.toString("pem"), key: await exportKeyPem(keys.privateKey) };
}
