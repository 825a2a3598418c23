/**
 * The key that signs ServiceAccount tokens (kube-apiserver's --service-account-signing-key-file, kubeadm's sa.key):
 * an ECDSA P-256 key kept next to the cluster CA in `<data-dir>/pki/sa.key` (0600) with its public half in
 * `sa.pub`. Created at the first start; every API server of one cluster must hold the same key (the cluster bundle
 * carries it), so a token issued by one is accepted by all.
 */
import { createPublicKey } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI } from "jose";
import { writeSecret } from "./pki.js";

/** The JWS algorithm of ServiceAccount tokens. */
export const serviceAccountTokenAlgorithm = "ES256";

/** The signing key of ServiceAccount tokens as PEM (PKCS#8 private key, SPKI public key). */
export interface ServiceAccountKeyPem {
  privateKey: string;
  publicKey: string;
}

/** Paths of the key files in the PKI directory `dir`. */
export function serviceAccountKeyPaths(dir: string): { key: string; pub: string } {
  return { key: join(dir, "sa.key"), pub: join(dir, "sa.pub") };
}

/** A fresh ES256 key pair as PEM. */
export async function newServiceAccountKey(): Promise<ServiceAccountKeyPem> {
  const { privateKey, publicKey } = await generateKeyPair(serviceAccountTokenAlgorithm, { extractable: true });
  return { privateKey: await exportPKCS8(privateKey), publicKey: await exportSPKI(publicKey) };
}

/** Checks that `pem` is an ES256 private key and returns its public key as PEM; throws when it is not. */
export async function publicKeyOf(privateKeyPem: string): Promise<string> {
  await importPKCS8(privateKeyPem, serviceAccountTokenAlgorithm);
  const pub = createPublicKey(privateKeyPem);
  if (pub.asymmetricKeyType !== "ec" || pub.asymmetricKeyDetails?.namedCurve !== "prime256v1") throw new Error("not a P-256 key");
  return pub.export({ type: "spki", format: "pem" }).toString();
}

/**
 * Loads the signing key of the PKI directory `dir`, creating it (0600) when `sa.key` is missing; `sa.pub` is
 * rewritten from the private key. Throws when `sa.key` exists but is not an ES256 private key.
 */
export async function ensureServiceAccountKey(dir: string): Promise<ServiceAccountKeyPem> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const paths = serviceAccountKeyPaths(dir);
  if (existsSync(paths.key)) {
    const privateKey = await readFile(paths.key, "utf8");
    let publicKey: string;
    try {
      publicKey = await publicKeyOf(privateKey);
    } catch (error) {
      throw new Error(`${paths.key} is not an ECDSA P-256 private key (PKCS#8 PEM): ${error instanceof Error ? error.message : String(error)}`);
    }
    await importSPKI(publicKey, serviceAccountTokenAlgorithm);
    if (!existsSync(paths.pub) || (await readFile(paths.pub, "utf8")) !== publicKey) await writeFile(paths.pub, publicKey);
    return { privateKey, publicKey };
  }
  const created = await newServiceAccountKey();
  await writeSecret(paths.key, created.privateKey);
  await writeFile(paths.pub, created.publicKey);
  return created;
}
