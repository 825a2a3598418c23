import type { Reply } from "./reply.js";

/** The version document everynode reports: Kubernetes 1.32, so kubectl's dispatcher picks its 1.32 client. */
export function serverVersion(): Record<string, string> {
  return {
    major: "1",
    minor: "32",
    gitVersion: "v1.32.0-everynode",
    gitCommit: "",
    gitTreeState: "clean",
    buildDate: "",
    goVersion: `node${process.versions.node}`,
    compiler: "tsc",
    platform: "linux/amd64",
  };
}

/** `GET /version`. */
export function versionReply(): Reply {
  return { kind: "object", code: 200, body: serverVersion() };
}
