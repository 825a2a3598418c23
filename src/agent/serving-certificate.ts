/**
 * The agent's self-signed serving certificate (the kubelet's self-signed kubelet.crt), made in a short-lived worker
 * thread: the X.509 library it takes is then never loaded into the agent's own heap, which stays small for as long
 * as the agent runs.
 */
import { Worker } from "node:worker_threads";
import type { CertificatePem } from "../server/pki.js";

/** A new key and self-signed serving certificate for `subject` (CN) valid for `hosts` (IPs and DNS names). */
export function servingCertificate(subject: string, hosts: readonly string[]): Promise<CertificatePem> {
  const worker = new Worker(new URL("./serving-certificate-worker.js", import.meta.url), { workerData: { subject, hosts: [...hosts] } });
  return new Promise((resolve, reject) => {
    let result: CertificatePem | undefined;
    worker.once("message", (pem: CertificatePem) => { result = pem; });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (result) resolve(result);
      else reject(new Error(`making the agent's serving certificate failed (worker exit code ${code})`));
    });
  });
}
