/**
 * `/healthz`, `/livez` and `/readyz` as kube-apiserver serves them: named checks, `?verbose` listing each as
 * `[+]name ok` / `[-]name failed: reason withheld`, `?exclude=name` skipping one, `/<endpoint>/<name>` running
 * one check, and 500 when any included check fails.
 */
import type { Reply } from "./reply.js";

/** One named health check: resolves when healthy, rejects (or resolves with a reason) when not. */
export interface HealthCheck {
  name: string;
  check(signal: AbortSignal): Promise<string | undefined> | string | undefined;
}

/** The checks of each health endpoint. */
export interface HealthChecks {
  livez: readonly HealthCheck[];
  readyz: readonly HealthCheck[];
}

/** The health endpoints. */
export type HealthEndpoint = "healthz" | "livez" | "readyz";

/** The check everyone always passes. */
export const pingCheck: HealthCheck = { name: "ping", check: () => undefined };

async function failure(check: HealthCheck, signal: AbortSignal): Promise<string | undefined> {
  try {
    return await check.check(signal);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Answers one health request; `check` is the name after the endpoint in the path, if any. */
export async function healthReply(checks: HealthChecks | undefined, endpoint: HealthEndpoint, check: string | undefined, query: URLSearchParams, signal: AbortSignal): Promise<Reply> {
  const list = !checks ? [pingCheck] : endpoint === "readyz" ? checks.readyz : checks.livez;
  if (check !== undefined) {
    const one = list.find((c) => c.name === check);
    if (!one) return { kind: "text", code: 404, body: "404 page not found\n" };
    const reason = await failure(one, signal);
    return reason === undefined ? { kind: "text", code: 200, body: "ok" } : { kind: "text", code: 500, body: `internal server error: ${reason}\n` };
  }
  const excluded = new Set(query.getAll("exclude"));
  const lines: string[] = [];
  let failed = false;
  for (const c of list) {
    if (excluded.has(c.name)) {
      lines.push(`[+]${c.name} excluded: ok`);
      excluded.delete(c.name);
      continue;
    }
    const reason = await failure(c, signal);
    if (reason === undefined) lines.push(`[+]${c.name} ok`);
    else { failed = true; lines.push(`[-]${c.name} failed: reason withheld`); }
  }
  if (excluded.size > 0) lines.push(`warn: some health checks cannot be excluded: no matches for ${[...excluded].map((e) => `"${e}"`).join(",")}`);
  if (failed) return { kind: "text", code: 500, body: `${lines.join("\n")}\n${endpoint} check failed\n` };
  // As upstream: the parameter's presence asks for the list, whatever its value.
  const verbose = query.has("verbose");
  return { kind: "text", code: 200, body: verbose ? `${lines.join("\n")}\n${endpoint} check passed\n` : "ok" };
}
