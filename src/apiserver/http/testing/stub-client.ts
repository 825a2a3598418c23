import type { Client } from "../../../client/client.js";

/** A Client whose methods fail with "not stubbed" unless given: for tests that script the API's answers. */
export function stubClient(methods: Partial<Client>): Client {
  const missing = (name: string) => () => { throw new Error(`${name} not stubbed`); };
  const names: (keyof Client)[] = ["get", "list", "watch", "create", "update", "updateStatus", "patch", "delete", "deleteCollection", "createSubresource"];
  const client: Record<string, unknown> = {};
  for (const name of names) client[name] = methods[name] ?? missing(name);
  return client as unknown as Client;
}
