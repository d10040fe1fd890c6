#!/usr/bin/env node
// The `lathe` command: runs the built CLI (dist/) on plain Node.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entry = path.join(root, 'dist', 'main', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`lathe: not built yet (${entry} is missing). Run: npm run build\n`);
  process.exit(1);
}
const { runCli } = await import(pathToFileURL(entry).href);
process.exitCode = await runCli(process.argv.slice(2));
