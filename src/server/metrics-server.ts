import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerMetrics } from "../metrics/server-metrics.js";

/** A plain-HTTP loopback listener serving `/metrics` and `/healthz`. */
export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `metrics` at `http://127.0.0.1:<port>/metrics` (0 picks a free port) and `ok` at `/healthz`, for a
 * process without an API server of its own (the out-of-process controller manager). Loopback only: there is
 * no authentication.
 */
export async function serveMetrics(metrics: ServerMetrics, port: number): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || (path !== "/metrics" && path !== "/healthz")) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("404 page not found\n");
      return;
    }
    if (path === "/healthz") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { "Content-Type": metrics.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { "Content-Type": "text/plain" }).end(`${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => { server.off("error", fail); ok(); });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
