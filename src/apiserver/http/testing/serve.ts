import type { AddressInfo } from "node:net";
import { createApiServer, type RequestLimits } from "../listener.js";
import { createApiHandler, type ApiHandlerOptions } from "../server.js";

/** A handler served on 127.0.0.1 on a free port, for tests. */
export interface TestServer {
  url: string;
  /** Drops every connection (open watches included) and stops listening. */
  close(): Promise<void>;
}

/** Serves `createApiHandler(options)` on loopback through createApiServer (production limits unless `limits`). */
export async function serveApi(options: ApiHandlerOptions, limits: RequestLimits = { headersMs: 30_000, requestMs: 60_000, checkIntervalMs: 1_000 }): Promise<TestServer> {
  const server = createApiServer({ handler: createApiHandler({ log: () => undefined, ...options }), limits });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
