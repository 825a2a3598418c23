#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point of the kubectl plugin: `kubectl everynode ARGS` runs `everynode ARGS`.
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
