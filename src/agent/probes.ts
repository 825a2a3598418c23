/** Container probes as the kubelet runs them: exec, httpGet and tcpSocket handlers and the periodic worker. */
import { execFile } from "node:child_process";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { Container, Probe } from "kubernetes-types/core/v1.js";
import { sleep, type Clock } from "../util/clock.js";

/** The outcome of one probe run. */
export interface ProbeResult { ok: boolean; output: string }

/** Where and how handlers run: the pod's IP and the container's environment. */
export interface ProbeContext {
  podIP: string;
  container: Container;
  env: Record<string, string>;
  /** Runs an exec probe's argv in the container's context (default: as is). */
  execArgv?: (argv: readonly string[]) => string[];
}

function resolvePort(port: number | string, container: Container): number {
  if (typeof port === "number") return port;
  const named = container.ports?.find((p) => p.name === port)?.containerPort;
  return named ?? Number(port);
}

/** Runs the handler of `probe` once, within its timeout. */
export async function runProbe(probe: Probe, ctx: ProbeContext): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) {
    const argv = ctx.execArgv ? ctx.execArgv(probe.exec.command ?? []) : probe.exec.command ?? [];
    return new Promise((resolve) => {
      execFile(argv[0] ?? "", argv.slice(1), { timeout: timeoutMs, env: { ...ctx.env }, maxBuffer: 10 * 1024 }, (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (!err) resolve({ ok: true, output });
        else if ((err as { killed?: boolean }).killed) resolve({ ok: false, output: `command timed out after ${probe.timeoutSeconds ?? 1}s` });
        else resolve({ ok: false, output: output || err.message });
      });
    });
  }
  if (probe.httpGet) {
    const g = probe.httpGet;
    const https = g.scheme === "HTTPS";
    const port = resolvePort(g.port, ctx.container);
    const headers: Record<string, string> = { "User-Agent": "kube-probe/1.32", Accept: "*/*" };
    for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
    return new Promise((resolve) => {
      const req = (https ? httpsRequest : httpRequest)({
        host: g.host || ctx.podIP, port, path: g.path ?? "/", method: "GET", headers, timeout: timeoutMs, rejectUnauthorized: false,
      }, (res) => {
        const code = res.statusCode ?? 0;
        res.resume();
        resolve(code >= 200 && code < 400 ? { ok: true, output: "" } : { ok: false, output: `HTTP probe failed with statuscode: ${code}` });
      });
      req.on("timeout", () => req.destroy(new Error(`Get "${https ? "https" : "http"}://${g.host || ctx.podIP}:${port}${g.path ?? "/"}": context deadline exceeded`)));
      req.on("error", (err) => resolve({ ok: false, output: err.message }));
      req.end();
    });
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, ctx.container);
    const host = probe.tcpSocket.host || ctx.podIP;
    return new Promise((resolve) => {
      const socket = connect({ host, port, timeout: timeoutMs });
      socket.once("connect", () => { socket.destroy(); resolve({ ok: true, output: "" }); });
      socket.once("timeout", () => { socket.destroy(); resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` }); });
      socket.once("error", (err) => resolve({ ok: false, output: `dial tcp ${host}:${port}: ${err.message}` }));
    });
  }
  return { ok: false, output: "probe has no handler" };
}

/** The three probe kinds. */
export type ProbeKind = "Startup" | "Liveness" | "Readiness";

/** Options of a ProbeWorker. */
export interface ProbeWorkerOptions {
  kind: ProbeKind;
  probe: Probe;
  clock: Clock;
  context: () => ProbeContext;
  /** Whether the probe may run now (liveness and readiness wait for startup success). */
  gate?: () => boolean;
  /** Called when the thresholded result flips (and once with the first settled result). */
  onResult: (ok: boolean) => void;
  /** Called with each failed run's output (for Unhealthy events). */
  onFailure: (output: string) => void;
}

/**
 * Runs one probe of one container instance: after initialDelaySeconds, every periodSeconds; the result flips
 * after successThreshold consecutive successes or failureThreshold consecutive failures.
 */
export class ProbeWorker {
  private result: boolean | undefined;
  private successes = 0;
  private failures = 0;

  /** Creates the worker; nothing runs before `run`. */
  constructor(private readonly options: ProbeWorkerOptions) {}

  /** Probes until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { probe, clock } = this.options;
    await sleep(clock, (probe.initialDelaySeconds ?? 0) * 1000, signal);
    while (!signal.aborted) {
      if (this.options.gate?.() ?? true) await this.once(signal);
      await sleep(clock, (probe.periodSeconds ?? 10) * 1000, signal);
    }
  }

  private async once(signal: AbortSignal): Promise<void> {
    const r = await runProbe(this.options.probe, this.options.context());
    if (signal.aborted) return;
    if (r.ok) {
      this.successes++;
      this.failures = 0;
    } else {
      this.failures++;
      this.successes = 0;
      this.options.onFailure(r.output.trim());
    }
    const successNeeded = this.options.probe.successThreshold ?? 1;
    const failureNeeded = this.options.probe.failureThreshold ?? 3;
    if (r.ok && this.successes >= successNeeded && this.result !== true) {
      this.result = true;
      this.options.onResult(true);
    } else if (!r.ok && this.failures >= failureNeeded && this.result !== false) {
      this.result = false;
      this.options.onResult(false);
    }
  }
}
