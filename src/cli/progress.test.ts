import assert from "node:assert/strict";
import { test } from "node:test";
import { Progress, progressBar } from "./progress.js";

function stream(isTTY: boolean): { text: string; isTTY: boolean; columns: number; write(t: string): void } {
  return { text: "", isTTY, columns: 80, write(t) { this.text += t; } };
}

test("on a terminal, progress redraws one line with a bar and finish clears it", () => {
  const s = stream(true);
  const p = new Progress(s);
  p.update("nodes Ready", 5, 10);
  p.update("nodes Ready", 10, 10);
  p.finish("cluster ready");
  const clear = "\r\u001b[K";
  const parts = s.text.split(clear);
  assert.equal(parts[0], "", "every update starts by clearing the line");
  assert.match(parts[1] ?? "", /^\[#+-+\] 5\/10 nodes Ready$/);
  assert.match(parts[2] ?? "", /^\[#+\] 10\/10 nodes Ready$/);
  assert.equal(parts[3], "cluster ready\n");
  assert.equal(parts.length, 4);
});

test("elsewhere, a plain line at most every interval; quietUnlessTty prints only the finish line", () => {
  let now = 1000;
  const s = stream(false);
  const p = new Progress(s, { intervalMs: 5000, now: () => now });
  p.update("nodes Ready", 1, 10);
  now += 1000;
  p.update("nodes Ready", 2, 10);
  now += 5000;
  p.update("nodes Ready", 7, 10);
  p.finish("done");
  assert.equal(s.text, "1/10 nodes Ready\n7/10 nodes Ready\ndone\n");
  const q = stream(false);
  const quiet = new Progress(q, { quietUnlessTty: true });
  quiet.update("x", 1, 2);
  quiet.finish("result");
  assert.equal(q.text, "result\n");
});

test("the bar is proportional and bounded", () => {
  assert.equal(progressBar(0, 4, 4), "[----]");
  assert.equal(progressBar(2, 4, 4), "[##--]");
  assert.equal(progressBar(9, 4, 4), "[####]");
  assert.equal(progressBar(0, 0, 4), "[####]");
});
