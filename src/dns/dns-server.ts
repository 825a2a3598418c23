/** The cluster DNS server: UDP and TCP on one port, messages encoded and decoded with dns-packet. */
import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server, type Socket as TcpSocket } from "node:net";
import dnsPacket, { type Answer, type DecodedPacket, type Packet } from "dns-packet";
import { reportTo } from "../util/report.js";
import { answerQuestion, rcode, type AnswerOptions, type ClusterView, type DnsAnswer } from "./answer.js";

/** Options of DnsServer.start. */
export interface DnsServerOptions {
  view: ClusterView;
  /** Address to listen on (UDP and TCP). */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Cluster domain (default `cluster.local`). */
  zone?: string;
  /** TTL of the records (default 5, as CoreDNS). */
  ttl?: number;
  /** Receives socket and decoding failures (default: ignore). */
  onError?: (error: unknown) => void;
}

const tcpIdleMs = 10_000;

function flagsOf(query: DecodedPacket, code: number, truncated: boolean): number {
  let flags = dnsPacket.AUTHORITATIVE_ANSWER | code;
  if (query.flag_rd) flags |= dnsPacket.RECURSION_DESIRED;
  if (truncated) flags |= dnsPacket.TRUNCATED_RESPONSE;
  return flags;
}

/**
 * The response to one encoded query, at most `maxSize` bytes (UDP: 512, or the client's EDNS size; TCP: 65535):
 * answers that do not fit are dropped and the TC flag set. Queries with an opcode other than QUERY get NOTIMP,
 * undecodable ones are ignored (undefined).
 */
export function respond(view: ClusterView, message: Buffer, options: AnswerOptions, transport: "udp" | "tcp"): Buffer | undefined {
  let query: DecodedPacket;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return undefined;
  }
  if (query.type !== "query") return undefined;
  const question = query.questions?.[0];
  const opt = query.additionals?.find((a): a is Extract<Answer, { type: "OPT" }> => a.type === "OPT");
  const opcode = ((query.flags ?? 0) >> 11) & 0xf;
  let outcome: DnsAnswer = { rcode: rcode.NOTIMP, answers: [], authorities: [], additionals: [] };
  if (opcode === 0 && question) outcome = answerQuestion(view, question.name, question.type, options);
  const maxSize = transport === "tcp" ? 65535 : Math.max(512, Math.min(opt?.udpPayloadSize ?? 512, 4096));
  const ednsOpt: Answer[] = opt ? [{ type: "OPT", name: ".", udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [];
  const packet = (answers: Answer[], additionals: Answer[], truncated: boolean): Packet => ({
    type: "response", id: query.id, flags: flagsOf(query, outcome.rcode, truncated), questions: query.questions,
    answers, authorities: outcome.authorities, additionals: [...additionals, ...ednsOpt],
  });
  const full = packet(outcome.answers, outcome.additionals, false);
  if (dnsPacket.encodingLength(full) <= maxSize) return dnsPacket.encode(full);
  // Keep as many answers as fit (without the additional section), as CoreDNS does for large responses.
  let fit = 0;
  let size = dnsPacket.encodingLength(packet([], [], true));
  for (const a of outcome.answers) {
    size += dnsPacket.encodingLength({ answers: [a] }) - 12;
    if (size > maxSize) break;
    fit++;
  }
  return dnsPacket.encode(packet(outcome.answers.slice(0, fit), [], true));
}

/** A running DNS server; `close()` stops both listeners and open TCP connections. */
export class DnsServer {
  private constructor(
    /** The port both listeners are bound to. */
    readonly port: number,
    private readonly udp: Socket,
    private readonly tcp: Server,
    private readonly connections: Set<TcpSocket>,
  ) {}

  /** Binds UDP and TCP on host:port (TCP on the port UDP got when port is 0); rejects if either bind fails. */
  static async start(options: DnsServerOptions): Promise<DnsServer> {
    const answerOptions: AnswerOptions = { zone: (options.zone ?? "cluster.local").toLowerCase().replace(/\.$/, ""), ttl: options.ttl ?? 5 };
    const udp = createSocket(options.host.includes(":") ? "udp6" : "udp4");
    udp.on("message", (msg, rinfo) => {
      try {
        const reply = respond(options.view, msg, answerOptions, "udp");
        if (reply) udp.send(reply, rinfo.port, rinfo.address, (err) => { if (err) reportTo(options.onError, err); });
      } catch (error) {
        reportTo(options.onError, error);
      }
    });
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(options.port, options.host, () => { udp.off("error", reject); resolve(); });
    });
    udp.on("error", (err) => reportTo(options.onError, err));
    const port = udp.address().port;
    const connections = new Set<TcpSocket>();
    const tcp = createServer((socket) => serveTcp(socket, options, answerOptions, connections));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(port, options.host, () => { tcp.off("error", reject); resolve(); });
      });
    } catch (error) {
      udp.close();
      throw error;
    }
    tcp.on("error", (err) => reportTo(options.onError, err));
    return new DnsServer(port, udp, tcp, connections);
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    await Promise.all([
      new Promise<void>((resolve) => this.udp.close(() => resolve())),
      new Promise<void>((resolve) => this.tcp.close(() => resolve())),
    ]);
  }
}

/** Serves length-prefixed messages on one TCP connection until the client closes it or stays idle. */
function serveTcp(socket: TcpSocket, options: DnsServerOptions, answerOptions: AnswerOptions, connections: Set<TcpSocket>): void {
  connections.add(socket);
  socket.setTimeout(tcpIdleMs, () => socket.destroy());
  socket.on("close", () => connections.delete(socket));
  socket.on("error", (err) => reportTo(options.onError, err));
  let buffered = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const length = buffered.readUInt16BE(0);
      if (buffered.length < 2 + length) return;
      const message = buffered.subarray(2, 2 + length);
      buffered = buffered.subarray(2 + length);
      const reply = respond(options.view, message, answerOptions, "tcp");
      if (!reply) {
        socket.destroy();
        return;
      }
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(reply.length);
      socket.write(Buffer.concat([prefix, reply]));
    }
  });
}
