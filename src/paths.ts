import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest ancestor with package.json and campaigns/ (works from src/ under tsx and from dist/). */
function findRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'campaigns'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(here, '..');
    dir = up;
  }
}

export const PROJECT_ROOT = findRoot();
export const fromRoot = (...parts: string[]) => path.join(PROJECT_ROOT, ...parts);
