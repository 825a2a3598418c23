/** The startup, liveness and readiness probes of one container instance, wired as the kubelet's prober manager. */
import type { Container } from "../api/types.js";
import type { Clock } from "../util/clock.js";
import { ProbeWorker, type ProbeContext, type ProbeKind } from "./probes.js";

/** Options of a container's probes. */
export interface ContainerProbesOptions {
  container: Container;
  clock: Clock;
  env: () => Record<string, string>;
  podIP: () => string;
  /** Runs an exec probe's argv in the container's context. */
  execArgv?: (argv: readonly string[]) => string[];
  /** Startup succeeded (or there is no startup probe: never called). */
  onStarted: () => void;
  /** The readiness result flipped. */
  onReady: (ready: boolean) => void;
  /** One failed run, for the Unhealthy event. */
  onUnhealthy: (kind: ProbeKind, output: string) => void;
  /** Liveness or startup failed past its threshold: the container is to be killed. */
  onLivenessFailure: (kind: ProbeKind) => void;
}

/** Runs a container instance's probes until stopped. */
export class ContainerProbes {
  private readonly abort = new AbortController();
  private started: boolean;

  /** Prepares the probes; `start` runs them. */
  constructor(private readonly o: ContainerProbesOptions) {
    this.started = !o.container.startupProbe;
  }

  /** Starts every configured probe. */
  start(): void {
    const { container: c, clock } = this.o;
    const context = (): ProbeContext => {
      let env: Record<string, string> = {};
      try { env = this.o.env(); } catch { env = {}; }
      return { podIP: this.o.podIP(), container: c, env, execArgv: this.o.execArgv };
    };
    const workers: ProbeWorker[] = [];
    if (c.startupProbe) {
      workers.push(new ProbeWorker({
        kind: "Startup", probe: c.startupProbe, clock, context, gate: () => !this.started,
        onResult: (ok) => { if (ok) { this.started = true; this.o.onStarted(); } else this.o.onLivenessFailure("Startup"); },
        onFailure: (out) => this.o.onUnhealthy("Startup", out),
      }));
    }
    if (c.livenessProbe) {
      workers.push(new ProbeWorker({
        kind: "Liveness", probe: c.livenessProbe, clock, context, gate: () => this.started,
        onResult: (ok) => { if (!ok) this.o.onLivenessFailure("Liveness"); },
        onFailure: (out) => this.o.onUnhealthy("Liveness", out),
      }));
    }
    if (c.readinessProbe) {
      workers.push(new ProbeWorker({
        kind: "Readiness", probe: c.readinessProbe, clock, context, gate: () => this.started,
        onResult: (ok) => this.o.onReady(ok),
        onFailure: (out) => this.o.onUnhealthy("Readiness", out),
      }));
    }
    for (const w of workers) void w.run(this.abort.signal);
  }

  /** Stops every probe. */
  stop(): void { this.abort.abort(); }
}
