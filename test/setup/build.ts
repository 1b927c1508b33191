import { ensureDist } from '../../scripts/dist.mjs';

/**
 * Compiles src/, flows/, jobs/ and test/fixtures/ into dist/ once per run (only when they
 * changed), so tests start our processes with plain `node` (test/helpers/process.ts).
 */
export function setup() {
  ensureDist('tsconfig.test.json', ['src/main.ts', 'src/worker.ts', 'src/cli/index.ts', 'src/cli/chat.ts']);
}
