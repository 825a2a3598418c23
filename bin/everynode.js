#!/usr/bin/env -S node --max-semi-space-size=64 --heap-growing-percent=100
// Entry point of the `everynode` command: runs the compiled CLI.
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
