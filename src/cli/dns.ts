/** Starting the cluster DNS of `everynode up` from its flags. */
import type { SharedInformerFactory } from "../client/informer-factory.js";
import { DnsServer } from "../dns/dns-server.js";
import { InformerClusterView } from "../dns/informer-view.js";
import { UsageError } from "./flags.js";

/** Default `--dns-port`: an unprivileged port on loopback (53 needs root). */
export const defaultDnsPort = 10053;

/** The DNS settings of `up`. */
export interface DnsFlags {
  /** 0 = disabled. */
  port: number;
  listen: string;
  clusterDomain: string;
  /** The port was given explicitly (a bind failure is then fatal rather than a warning). */
  explicit: boolean;
}

/** Reads `--dns-port`, `--dns-listen` and `--cluster-domain`. */
export function dnsFlags(flags: Record<string, unknown>): DnsFlags {
  const port = flags["dns-port"] === undefined ? defaultDnsPort : Number(flags["dns-port"]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid value "${String(flags["dns-port"])}" for --dns-port: must be a port number, or 0 to disable`);
  const domain = String(flags["cluster-domain"] ?? "cluster.local").toLowerCase().replace(/\.$/, "");
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(domain)) throw new UsageError(`invalid value "${domain}" for --cluster-domain: must be a DNS domain such as cluster.local`);
  return { port, listen: String(flags["dns-listen"] ?? "127.0.0.1"), clusterDomain: domain, explicit: flags["dns-port"] !== undefined };
}

/**
 * Starts the DNS server answering from `informers` (undefined when disabled). A failed bind on the default port is
 * reported through `out` and leaves DNS off; on an explicitly chosen port it rejects.
 */
export async function startDns(settings: DnsFlags, informers: SharedInformerFactory, out: (line: string) => void): Promise<DnsServer | undefined> {
  if (settings.port === 0) return undefined;
  const view = new InformerClusterView(informers);
  try {
    const server = await DnsServer.start({
      view, host: settings.listen, port: settings.port, zone: settings.clusterDomain,
      onError: (err) => out(`dns: ${err instanceof Error ? err.message : String(err)}`),
    });
    out(`cluster DNS (${settings.clusterDomain}) listening on ${settings.listen}:${server.port} (UDP and TCP)`);
    return server;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (settings.explicit) throw new Error(`cluster DNS cannot listen on ${settings.listen}:${settings.port}: ${reason}`, { cause: error });
    out(`warning: cluster DNS disabled: cannot listen on ${settings.listen}:${settings.port}: ${reason} (choose another with --dns-port)`);
    return undefined;
  }
}
