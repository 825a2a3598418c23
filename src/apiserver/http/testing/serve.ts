import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApiHandler, type ApiHandlerOptions } from "../server.js";

/** A handler served on 127.0.0.1 on a free port, for tests. */
export interface TestServer {
  url: string;
  /** Drops every connection (open watches included) and stops listening. */
  close(): Promise<void>;
}

/** Serves `createApiHandler(options)` on loopback. */
export async function serveApi(options: ApiHandlerOptions): Promise<TestServer> {
  const server = createServer(createApiHandler({ log: () => undefined, ...options }));
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
