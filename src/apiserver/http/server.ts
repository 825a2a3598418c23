import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest, internalError, StatusError } from "../../api/status-error.js";
import type { Client } from "../../client/client.js";
import { anonymousUser, bearerToken, unauthorized, withAuthenticatedGroup, type Authenticator, type UserInfo } from "./auth.js";
import type { RequestAuthorizer } from "./authz.js";
import { requestAttributes } from "./authz-attributes.js";
import type { RequestContext } from "./context.js";
import { deadlineExceeded, requestDeadline, requestIncomplete } from "./deadline.js";
import { aggregatedDiscoveryReply, apiGroupOf, apiResourceList, legacyDiscoveryReply } from "./discovery.js";
import { negotiateOutput } from "./negotiate.js";
import { notFoundPath, OpenApiEndpoint } from "./openapi.js";
import { queryBool } from "./query.js";
import { sendReply, statusReply, type Reply } from "./reply.js";
import { isWatchRequest, methodNotAllowed, serveResource } from "./resource-handler.js";
import type { NodeConnector } from "./pod-log.js";
import type { ServiceAccountJwt } from "./service-account-jwt.js";
import { impersonatedUser } from "./impersonation.js";
import { isPublicPath, parseRoute, type Route } from "./router.js";
import type { WatchLimits } from "./watch.js";
import { versionReply } from "./version.js";
import type { UiAssets } from "./ui-assets.js";
import { healthReply, type HealthChecks } from "./health.js";
import { requestLabels, type ApiMetrics } from "./request-metrics.js";
import { authorizeNonResource, type NonResourceAuthorizer } from "./authz-non-resource.js";

/** Configuration of the API's HTTP handler. */
export interface ApiHandlerOptions {
  /** Where every resource request goes. */
  client: Client;
  /** Decides who a bearer token (undefined when none was sent) belongs to, or refuses it (401); absent = everyone may. */
  authenticate?: Authenticator;
  /** Decides whether the authenticated user may make a resource request (403 otherwise); absent = anyone may anything. */
  authorize?: RequestAuthorizer;
  /** Clock for Table ages. */
  now?: () => Date;
  /** Largest accepted request body (default 3 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /**
   * Deadline of non-watch requests (default 60 s; `?timeout=` may shorten it); past it the answer is 504, or 408
   * when the request body has not fully arrived.
   */
  requestTimeoutMs?: number;
  /** A watch whose client reads nothing for this long is disconnected (default 30 s). */
  watchStallTimeoutMs?: number;
  /** Where unexpected server faults are reported, once each (default console.error). */
  log?: (message: string) => void;
  /** Request metrics and the `/metrics` exposition (absent: `/metrics` is 404). */
  metrics?: ApiMetrics;
  /** The named checks of `/livez` and `/readyz` (absent: `ping` only). */
  health?: HealthChecks;
  /** The dashboard's files at `/ui/` (absent: 404). */
  ui?: UiAssets;
  /** Decides whether the user may `get` a non-resource path such as `/metrics` (default: system:masters only). */
  authorizeNonResource?: NonResourceAuthorizer;
  /** How `pods/log` reaches node agents (absent: it answers 503). */
  nodeConnector?: NodeConnector;
  /** Issues ServiceAccount tokens for `serviceaccounts/token` (absent: it answers 404). */
  serviceAccountTokens?: ServiceAccountJwt;
}

interface Config {
  client: Client;
  authenticate: Authenticator | undefined;
  authorize: RequestAuthorizer | undefined;
  now: () => Date;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  limits: WatchLimits;
  log: (message: string) => void;
  openApi: OpenApiEndpoint;
  nodeConnector: NodeConnector | undefined;
  serviceAccountTokens: ServiceAccountJwt | undefined;
  metrics: ApiMetrics | undefined;
  ui: UiAssets | undefined;
  health: HealthChecks | undefined;
  authorizeNonResource: NonResourceAuthorizer;
}

/**
 * The Kubernetes API over HTTP as a node:http / node:https request listener: discovery, OpenAPI, version,
 * health and every verb on the served resources, translated into calls on `options.client`. Never throws:
 * StatusErrors become their Status, anything else a 500 Status (logged once).
 */
export function createApiHandler(options: ApiHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const config: Config = {
    client: options.client,
    authenticate: options.authenticate,
    authorize: options.authorize,
    now: options.now ?? (() => new Date()),
    maxBodyBytes: options.maxBodyBytes ?? 3 * 1024 * 1024,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    limits: { defaultTimeoutSeconds: 1800, stallTimeoutMs: options.watchStallTimeoutMs ?? 30_000 },
    log: options.log ?? ((message) => console.error(message)),
    openApi: new OpenApiEndpoint(),
    nodeConnector: options.nodeConnector,
    serviceAccountTokens: options.serviceAccountTokens,
    metrics: options.metrics,
    ui: options.ui,
    health: options.health,
    authorizeNonResource: options.authorizeNonResource ?? authorizeNonResource,
  };
  return (req, res) => {
    serve(req, res, config).catch((err: unknown) => {
      config.log(`apiserver: failed to answer ${req.method ?? ""} ${req.url ?? ""}: ${describe(err)}`);
      if (!res.headersSent && !res.destroyed) {
        res.statusCode = 500;
        res.end();
      } else {
        res.destroy();
      }
    });
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, config: Config): Promise<void> {
  const raw = req.url ?? "/";
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
  const abort = new AbortController();
  res.once("close", () => abort.abort());
  const output = negotiateOutput(req.headers.accept, {});
  const ctx: RequestContext = {
    req, res, query, client: config.client, now: config.now, maxBodyBytes: config.maxBodyBytes,
    encoding: { mediaType: output.mediaType, pretty: queryBool(query, "pretty") ?? false },
    signal: abort.signal, warnings: [], log: config.log, nodeConnector: config.nodeConnector, serviceAccountTokens: config.serviceAccountTokens,
    user: anonymousUser, baseClient: config.client,
  };
  let reply: Reply;
  const started = performance.now();
  const route = parseRoute(path);
  const labels = requestLabels(req.method ?? "GET", route, query, req.headers["content-type"]);
  const watch = route.type === "resource" && isWatchRequest(req.method, route, query);
  try {
    // HTTP/1.1 requires Host (RFC 9112 §3.2); node:http is told not to refuse it bare, so the Status comes from here.
    if (req.httpVersion === "1.1" && req.headers.host === undefined) {
      res.setHeader("Connection", "close");
      throw badRequest("missing required Host header");
    }
    let user: UserInfo = anonymousUser;
    if (!isPublicPath(path) && config.authenticate) {
      const who = await config.authenticate(bearerToken(req.headers.authorization), req);
      if (!who) throw unauthorized();
      if (who !== true) user = withAuthenticatedGroup(who);
      user = await impersonatedUser(req.headers, user, config.client);
    }
    ctx.user = user;
    if (route.type === "resource" && config.authorize) ctx.client = await config.authorize(requestAttributes(user, req.method ?? "GET", route, query), ctx.client);
    if (route.type === "metrics" && config.authenticate) await config.authorizeNonResource(user, (req.method ?? "GET").toLowerCase(), path);
    if (route.type === "resource" && watch) {
      const finished = config.metrics?.startLongRunning(labels);
      try {
        reply = await serveResource(ctx, route, config.limits);
      } finally {
        finished?.();
      }
    } else {
      const deadline = requestDeadline(query.get("timeout"), config.requestTimeoutMs);
      reply = await withDeadline(dispatch(ctx, route, path, config), deadline, abort, req, res);
    }
  } catch (err) {
    reply = errorReply(err, ctx);
  }
  sendReply(res, reply, ctx.encoding, ctx.warnings);
  config.metrics?.observeRequest(labels, res.statusCode, (performance.now() - started) / 1000, watch);
}

function dispatch(ctx: RequestContext, route: Route, path: string, config: Config): Promise<Reply> | Reply {
  if (route.type === "resource") return serveResource(ctx, route, config.limits);
  if (route.type === "not-found") return notFoundPath();
  if (ctx.req.method !== "GET" && ctx.req.method !== "HEAD") throw methodNotAllowed();
  switch (route.type) {
    case "version": return versionReply();
    case "health": return healthReply(config.health, route.endpoint, route.check, ctx.query, ctx.signal);
    case "metrics": return metricsReply(config.metrics);
    case "ui": return uiReply(config.ui, route.file);
    case "discovery": {
      const choice = negotiateOutput(ctx.req.headers.accept, { aggregatedDiscovery: true });
      const ifNoneMatch = ctx.req.headers["if-none-match"];
      return choice.aggregatedDiscovery ? aggregatedDiscoveryReply(route.root, ifNoneMatch) : legacyDiscoveryReply(route.root, ctx.req.headers.host ?? "");
    }
    case "group": {
      const group = apiGroupOf(route.group);
      return group ? { kind: "object", code: 200, body: group } : notFoundPath();
    }
    case "resource-list": return { kind: "object", code: 200, body: apiResourceList(route.group, route.version) };
    case "openapi-index": return config.openApi.index();
    case "openapi-document": return config.openApi.document(route.groupVersion, ctx.query, path);
    case "openapi-v2": return config.openApi.swagger(ctx.req.headers.accept);
  }
}

function uiReply(ui: UiAssets | undefined, file: string | undefined): Promise<Reply> | Reply {
  if (!ui) return notFoundPath();
  // `/ui` itself: send browsers (and kubectl proxy's clients) to `/ui/` so relative URLs resolve below it.
  if (file === undefined) return { kind: "raw", code: 301, body: "", contentType: "text/plain", headers: { Location: "ui/" } };
  return ui.reply(file);
}

async function metricsReply(metrics: ApiMetrics | undefined): Promise<Reply> {
  if (!metrics) return notFoundPath();
  return { kind: "raw", code: 200, body: await metrics.text(), contentType: metrics.contentType };
}

/**
 * Runs `work` against a deadline; past it the request is aborted (later results are dropped) and answered 504, or
 * 408 (closing the connection) when the client has not even sent the whole request yet: that wait is its mistake.
 */
async function withDeadline(work: Promise<Reply> | Reply, ms: number, abort: AbortController, req: IncomingMessage, res: ServerResponse): Promise<Reply> {
  if (!(work instanceof Promise)) return work;
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<Reply>((resolve) => {
    timer = setTimeout(() => {
      const err = req.complete ? deadlineExceeded() : requestIncomplete(ms);
      if (!req.complete && !res.headersSent) res.setHeader("Connection", "close");
      abort.abort(err);
      resolve(statusReply(err));
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function errorReply(err: unknown, ctx: RequestContext): Reply {
  if (err instanceof StatusError) return statusReply(err);
  ctx.log(`apiserver: internal error serving ${ctx.req.method ?? ""} ${ctx.req.url ?? ""}: ${describe(err)}`);
  return statusReply(internalError(err instanceof Error ? err.message : String(err)));
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
