// @ts-check
/**
 * A pod's container log, read through the API (`GET pods/NAME/log?follow=true`, which the API server proxies to
 * the node agent running the pod) and shown as it streams. Whatever the API answers is shown as it is: the
 * lines, or the Status message of a refusal (a pod without a node, an unreachable agent, ...).
 */
import { h } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";

const html = htm.bind(h);

/** How much log text the pane keeps (the oldest text is dropped beyond it). */
const maxChars = 200_000;
/** Lines asked for when the pane opens. */
const tailLines = 1000;

/**
 * The log pane of one pod. `open` resolves the API's response to a GET of the path, or rejects with the error
 * the API returned (its Status message).
 * @param {{ namespace: string, name: string, containers: string[], open: (path: string, signal: AbortSignal) => Promise<Response> }} props
 */
export function PodLogs({ namespace, name, containers, open }) {
  const [container, setContainer] = useState(containers[0] ?? "");
  const [text, setText] = useState("");
  const [state, setState] = useState(/** @type {"loading" | "streaming" | "ended" | "failed"} */ ("loading"));
  const [error, setError] = useState("");
  /** @type {import("preact").RefObject<HTMLPreElement>} */
  const pre = useRef(null);
  useEffect(() => {
    if (!containers.includes(container)) setContainer(containers[0] ?? "");
  }, [containers.join(" ")]);
  useEffect(() => {
    setText("");
    setError("");
    setState("loading");
    if (!container) return undefined;
    const abort = new AbortController();
    const q = new URLSearchParams({ container, follow: "true", tailLines: String(tailLines) });
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log?${q}`;
    void follow(path, abort.signal);
    return () => abort.abort();

    /** @param {string} p @param {AbortSignal} signal */
    async function follow(p, signal) {
      let buffer = "";
      /** @type {ReturnType<typeof setTimeout> | undefined} */
      let timer;
      // Chunks arrive line by line; the pane redraws at most every 100 ms.
      const flush = () => { timer = undefined; if (!signal.aborted) setText(buffer); };
      try {
        const res = await open(p, signal);
        setState("streaming");
        if (!res.body) { buffer = await res.text(); flush(); setState("ended"); return; }
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          if (buffer.length > maxChars) buffer = buffer.slice(buffer.indexOf("\n", buffer.length - maxChars) + 1);
          timer ??= setTimeout(flush, 100);
        }
        clearTimeout(timer);
        flush();
        if (!signal.aborted) setState("ended");
      } catch (err) {
        clearTimeout(timer);
        if (signal.aborted) return;
        flush();
        setError(err instanceof Error ? err.message : String(err));
        setState("failed");
      }
    }
  }, [namespace, name, container]);
  useEffect(() => {
    // Stay at the bottom while following, unless the reader scrolled up.
    const el = pre.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [text]);
  return html`<section class="logs" data-logs=${state}>
    <header>
      <h3>logs</h3>
      ${containers.length > 1
        ? html`<select aria-label="container" value=${container} onChange=${(/** @type {any} */ e) => setContainer(e.currentTarget.value)}>
            ${containers.map((c) => html`<option value=${c}>${c}</option>`)}</select>`
        : html`<span class="meta">${container}</span>`}
      <span class="meta">${state === "streaming" ? "following" : state === "ended" ? "stream ended" : state === "loading" ? "loading…" : ""}</span>
    </header>
    ${error && html`<p class="bad" data-log-error>${error}</p>`}
    <pre ref=${pre} data-log-text>${text}</pre>
  </section>`;
}
