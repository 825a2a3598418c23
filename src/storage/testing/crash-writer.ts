/**
 * Child process for the abrupt-stop test: opens the SQLite store at argv[2] (synchronous mode argv[3]) and runs
 * 8 concurrent writer loops forever (per key: create, update, and for every 4th key delete), printing one line
 * `<op> <key> <revision>` to stdout after each write is acknowledged. The parent kills it with SIGKILL.
 */
import { SqliteBackend } from "../sqlite-backend.js";

const [path, mode] = process.argv.slice(2);
if (path === undefined || (mode !== "FULL" && mode !== "NORMAL")) {
  process.stderr.write("usage: crash-writer <db path> <FULL|NORMAL>\n");
  process.exit(2);
}
const backend = SqliteBackend.open({ path, synchronous: mode });
const ack = (op: string, key: string, revision: number): void => { process.stdout.write(`${op} ${key} ${revision}\n`); };
const payload = "x".repeat(1500);

async function writer(id: number): Promise<void> {
  for (let i = 0; ; i++) {
    const key = `/crash/${id}/${i}`;
    const created = await backend.create(key, `create ${payload}`);
    ack("create", key, created.revision);
    const updated = await backend.update(key, `update ${payload}`, created.revision);
    ack("update", key, updated.revision);
    if (i % 4 === 0) ack("delete", key, (await backend.delete(key, updated.revision)).revision);
  }
}

process.stdout.write("ready\n");
await Promise.all(Array.from({ length: 8 }, (_, id) => writer(id)));
