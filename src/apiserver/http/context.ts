import type { IncomingMessage, ServerResponse } from "node:http";
import type { ResourceInfo } from "../../api/resources.js";
import type { KubeList } from "../../api/types.js";
import type { Client, ListOptions } from "../../client/client.js";
import type { UserInfo } from "./auth.js";
import type { NodeConnector } from "./pod-log.js";
import type { Encoding } from "./reply.js";
import type { ServiceAccountJwt } from "./service-account-jwt.js";

/** Everything a verb handler needs about one request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  client: Client;
  now: () => Date;
  maxBodyBytes: number;
  /** How replies are encoded (from Accept and `pretty`). */
  encoding: Encoding;
  /** Aborts when the client goes away or the request deadline passes. */
  signal: AbortSignal;
  /** Warnings collected while serving; sent as `Warning` headers. */
  warnings: string[];
  /** Who makes the request (anonymous until authenticated). */
  user: UserInfo;
  /** The client before authorization wrapped it: reads what reviews evaluate (RBAC objects). */
  baseClient: Client;
  /** As baseClient's list, but the items may be the store's own objects: serialize them, never change them. */
  listShared?: SharedLister;
  /** Logs an unexpected server fault once. */
  log: (message: string) => void;
  /** Issues ServiceAccount tokens (`serviceaccounts/token`); absent: that subresource answers 404. */
  serviceAccountTokens?: ServiceAccountJwt;
  /** How subresources served by node agents (`pods/log`) reach them. */
  nodeConnector?: NodeConnector;
}

/** A list whose items may be the store's own objects (see Registry.listShared): to be serialized, never changed. */
export type SharedLister = (resource: ResourceInfo, namespace: string | undefined, options: ListOptions) => Promise<KubeList>;
