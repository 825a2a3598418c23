import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  decodeFrame, decodeResize, encodeClose, encodeFrame, exitCodeStatus, internalErrorStatus, statusExitCode, successStatus,
} from "./remote-command.js";

describe("remote command framing (channel.k8s.io v4/v5)", () => {
  test("a data message is the channel byte followed by the bytes", () => {
    const f = encodeFrame(1, "hi\n");
    assert.deepEqual([...f], [1, 0x68, 0x69, 0x0a]);
    assert.deepEqual(decodeFrame(f), { kind: "data", channel: 1, data: Buffer.from("hi\n") });
    assert.deepEqual(decodeFrame(encodeFrame(0, new Uint8Array())), { kind: "data", channel: 0, data: Buffer.alloc(0) });
  });

  test("v5 half-close is [255, channel]; empty and truncated messages carry nothing", () => {
    assert.deepEqual([...encodeClose(0)], [255, 0]);
    assert.deepEqual(decodeFrame(encodeClose(0)), { kind: "close", channel: 0 });
    assert.equal(decodeFrame(Buffer.alloc(0)), undefined);
    assert.equal(decodeFrame(Buffer.from([255])), undefined);
  });

  test("resize messages as kubectl sends them; anything else is no size", () => {
    assert.deepEqual(decodeResize(Buffer.from('{"Width":80,"Height":24}')), { width: 80, height: 24 });
    for (const bad of ["", "{", '{"Width":-1,"Height":2}', '{"Width":1.5,"Height":2}', '{"width":80,"height":24}', '{"Width":70000,"Height":1}', "null"]) {
      assert.equal(decodeResize(Buffer.from(bad)), undefined, bad);
    }
  });

  test("the final Status reads as kubectl decodes it", () => {
    assert.deepEqual(JSON.parse(JSON.stringify(successStatus())), { metadata: {}, status: "Success" });
    const failed = exitCodeStatus(3, ["sh", "-c", "exit 3"]);
    assert.deepEqual(failed, {
      metadata: {}, status: "Failure", reason: "NonZeroExitCode",
      message: "command terminated with non-zero exit code: command 'sh -c exit 3' exited with 3",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });
    assert.equal(statusExitCode(failed), 3);
    assert.equal(statusExitCode(successStatus()), 0);
    const internal = internalErrorStatus('exec: "x": executable file not found in $PATH');
    assert.equal(internal.message, 'Internal error occurred: exec: "x": executable file not found in $PATH');
    assert.equal(internal.code, 500);
    assert.equal(statusExitCode(internal), 1);
  });
});
