/** Worker thread of serving-certificate.ts: makes one self-signed serving certificate and posts it back. */
import { parentPort, workerData } from "node:worker_threads";
import { selfSignedServingCertificate } from "../server/pki.js";

const { subject, hosts } = workerData as { subject: string; hosts: string[] };
parentPort?.postMessage(await selfSignedServingCertificate(subject, hosts));
