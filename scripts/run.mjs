/**
 * `node scripts/run.mjs src/main.ts [args…]` (what `npm start`, `npm run worker`,
 * `npm run cli` and `npm run chat` do): compiles the TypeScript into dist/ when it
 * changed, then runs the compiled entry in this same process (signals, stdin and the
 * exit code are the program's own).
 */
import { pathToFileURL } from 'node:url';
import { distPath, ensureDist } from './dist.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs <src/entry.ts> [args…]');
  process.exit(2);
}
try {
  ensureDist('tsconfig.build.json', [entry]);
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
const file = distPath(entry);
// The entry sees itself as the program (src/cli/index.ts checks argv[1]) and its own arguments.
process.argv = [process.argv[0], file, ...args];
await import(pathToFileURL(file).href);
