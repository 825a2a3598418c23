import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SyncPacer } from "./sync-pacer.js";

describe("SyncPacer", () => {
  test("after a sync that wrote nothing the key rests four times as long as the sync took", () => {
    const p = new SyncPacer();
    assert.equal(p.admit("ns/ds", 1000), 0);
    p.synced("ns/ds", 1000, 1050, true);
    assert.equal(p.admit("ns/ds", 1100), 150);
    assert.equal(p.admit("ns/ds", 1249), 1);
    assert.equal(p.admit("ns/ds", 1250), 0);
    assert.equal(p.admit("ns/ds", 1251), 0, "admitted once, the rest is over");
  });

  test("a sync that wrote pods, or took no time, leaves no rest", () => {
    const p = new SyncPacer();
    p.synced("a", 0, 50, false);
    p.synced("b", 10, 10, true);
    assert.equal(p.admit("a", 51), 0);
    assert.equal(p.admit("b", 11), 0);
  });

  test("an urgent key syncs at once and its urgency is used up by that sync", () => {
    const p = new SyncPacer();
    p.synced("k", 0, 100, true);
    p.markUrgent("k");
    assert.equal(p.admit("k", 150), 0);
    p.synced("k", 150, 200, true);
    assert.equal(p.admit("k", 210), 190, "the next status-only change rests again");
  });

  test("keys rest independently; forget drops rest and urgency; factor 0 never rests", () => {
    const p = new SyncPacer();
    p.synced("x", 0, 10, true);
    assert.equal(p.admit("y", 11), 0);
    assert.equal(p.admit("x", 11), 39);
    p.forget("x");
    assert.equal(p.admit("x", 11), 0);
    const never = new SyncPacer(0);
    never.synced("x", 0, 10, true);
    assert.equal(never.admit("x", 11), 0);
  });
});
