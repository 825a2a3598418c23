/** Whole HTTP/1.1 responses written straight to a connection taken over for an upgrade. */
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/** Writes a plain-text response with `code` and `headers`, then closes the connection. */
export function writeRawResponse(socket: Duplex, code: number, headers: Record<string, string>, body: string): void {
  const bytes = Buffer.from(body, "utf8");
  const lines = [
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? "Error"}`,
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${bytes.length}`,
    "Connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), bytes]));
}
