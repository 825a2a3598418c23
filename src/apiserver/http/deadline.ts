import { badRequest, statusError, type StatusError } from "../../api/status-error.js";

const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration (`5s`, `1m30s`, `250ms`, `1.5h`, `0`) into milliseconds; undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  if (text === "0" || text === "+0" || text === "-0") return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (const part of text.replace(/^[+-]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (units[part[2] ?? ""] ?? 0);
  }
  return m[1] === "-" ? -total : total;
}

/**
 * The deadline of a non-long-running request in ms: the `timeout` query parameter when given and shorter,
 * else `defaultMs`. A malformed value is a 400 with upstream's wording.
 */
export function requestDeadline(timeout: string | null, defaultMs: number): number {
  if (timeout === null || timeout === "") return defaultMs;
  const ms = parseGoDuration(timeout);
  if (ms === undefined) throw badRequest(`invalid timeout specified in the request URL - time: invalid duration ${JSON.stringify(timeout)}`);
  return ms > 0 && ms < defaultMs ? ms : defaultMs;
}

/** 504 as upstream answers a request that outlived its deadline. */
export function deadlineExceeded(): StatusError {
  return statusError(504, "Timeout", "Timeout: request did not complete within requested timeout - context deadline exceeded", {});
}

/** 408 for a request whose body was still arriving when its deadline of `ms` passed (the client's fault, not a 5xx). */
export function requestIncomplete(ms: number): StatusError {
  return statusError(408, "Timeout", `Timeout: the request body did not arrive within ${ms / 1000}s`);
}
