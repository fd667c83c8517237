import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the dashboard's static files live, relative to the repository (or image) root. */
export const DASHBOARD_FOLDER = join('apps', 'query-api', 'dashboard');

let found: string | undefined;

/**
 * The dashboard folder, found by walking up from this file to the directory that holds package.json
 * and the folder: the same answer from the source tree (ts-node, jest) and from the build output
 * (dist/apps/<app>/...), and in the Docker image, which copies apps/ beside dist/.
 */
export function dashboardDir(from = __dirname): string {
  if (found) return found;
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, DASHBOARD_FOLDER);
    if (existsSync(join(dir, 'package.json')) && existsSync(join(candidate, 'index.html'))) return (found = candidate);
    if (dirname(dir) === dir) throw new Error(`dashboard files not found: no ${DASHBOARD_FOLDER}/index.html above ${from}`);
  }
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  json: 'application/json; charset=utf-8',
};

/** A servable file name: flat, lower-case, one of the known types (never a path). */
export function contentTypeOf(name: string): string | undefined {
  const m = /^[a-z0-9][a-z0-9-]*\.([a-z]+)$/.exec(name);
  return m ? TYPES[m[1]] : undefined;
}
