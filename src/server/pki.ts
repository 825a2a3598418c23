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
}

const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/**
 * Loads the CA and serving certificate from `dir`, creating them on first use.
 * The serving certificate covers 127.0.0.1, localhost and `extraHosts`; it is re-issued (by the same CA)
 * when a requested host is missing from it. Private keys are written with mode 0600.
 */
export async function ensureServingPki(dir: string, extraHosts: string[]): Promise<ServingPki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const paths = { caCert: join(dir, "ca.crt"), caKey: join(dir, "ca.key"), cert: join(dir, "server.crt"), key: join(dir, "server.key"), hosts: join(dir, "server.hosts") };
  const hosts = [...new Set(["127.0.0.1", "localhost", ...extraHosts.filter((h) => h && h !== "0.0.0.0" && h !== "::")])].sort();

  let caCertPem: string;
  let caKeys: CryptoKeyPair;
  if (existsSync(paths.caCert) && existsSync(paths.caKey)) {
    caCertPem = await readFile(paths.caCert, "utf8");
    caKeys = await importKeyPair(await readFile(paths.caKey, "utf8"), caCertPem);
  } else {
    caKeys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]) as CryptoKeyPair;
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      name: "CN=everynode-ca", keys: caKeys, signingAlgorithm: alg,
      notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 10 * 365 * 86400_000),
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    });
    caCertPem = ca.toString("pem");
    await writeSecret(paths.caKey, await exportKeyPem(caKeys.privateKey));
    await writeFile(paths.caCert, caCertPem);
  }

  const haveHosts = existsSync(paths.hosts) ? (await readFile(paths.hosts, "utf8")).trim() : "";
  if (existsSync(paths.cert) && existsSync(paths.key) && haveHosts === hosts.join(",")) {
    return { caCert: caCertPem, cert: await readFile(paths.cert, "utf8"), key: await readFile(paths.key, "utf8") };
  }
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]) as CryptoKeyPair;
  const ca = new x509.X509Certificate(caCertPem);
  const cert = await x509.X509CertificateGenerator.create({
    subject: "CN=everynode-apiserver", issuer: ca.subject, publicKey: keys.publicKey as unknown as x509.PublicKeyType, signingKey: caKeys.privateKey as unknown as Parameters<typeof x509.X509CertificateGenerator.create>[0] extends { signingKey: infer K } ? K : never,
    signingAlgorithm: alg, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 5 * 365 * 86400_000),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((h) => (isIP(h) ? { type: "ip" as const, value: h } : { type: "dns" as const, value: h }))),
    ],
  });
  const certPem = cert.toString("pem");
  const keyPem = await exportKeyPem(keys.privateKey);
  await writeSecret(paths.key, keyPem);
  await writeFile(paths.cert, certPem);
  await writeFile(paths.hosts, hosts.join(","));
  return { caCert: caCertPem, cert: certPem, key: keyPem };
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
