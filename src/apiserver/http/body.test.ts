import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import { describe, test } from "node:test";
import { statusError, StatusError } from "../../api/status-error.js";
import { readBody } from "./body.js";

/** A request stream and a response that records headers. */
function fakes(headers: Record<string, string> = {}): { req: IncomingMessage & PassThrough; res: ServerResponse; sent: Record<string, string> } {
  const req = Object.assign(new PassThrough(), { headers }) as unknown as IncomingMessage & PassThrough;
  const sent: Record<string, string> = {};
  const res = { headersSent: false, setHeader: (k: string, v: string) => { sent[k] = v; } } as unknown as ServerResponse;
  return { req, res, sent };
}

describe("readBody", () => {
  test("reads the whole body", async () => {
    const { req, res } = fakes();
    const body = readBody(req, res, 100, new AbortController().signal);
    req.end("hello");
    assert.equal((await body).toString(), "hello");
  });

  test("a body past the limit is a 413 and closes the connection after the answer", async () => {
    const { req, res, sent } = fakes({ "content-length": "1000" });
    await assert.rejects(readBody(req, res, 100, new AbortController().signal), (err: unknown) => err instanceof StatusError && err.code === 413);
    assert.equal(sent.Connection, "close");
  });

  test("a client that goes away mid-body is a 400, not a server fault", async () => {
    const { req, res } = fakes();
    const abort = new AbortController();
    const body = readBody(req, res, 100, abort.signal);
    req.write("par");
    abort.abort();
    await assert.rejects(body, (err: unknown) => err instanceof StatusError && err.code === 400 && /client closed the connection/.test(err.message));
  });

  test("a deadline aborts with its own Status", async () => {
    const { req, res } = fakes();
    const abort = new AbortController();
    const body = readBody(req, res, 100, abort.signal);
    abort.abort(statusError(504, "Timeout", "deadline"));
    await assert.rejects(body, (err: unknown) => err instanceof StatusError && err.code === 504);
  });
});
