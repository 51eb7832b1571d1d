import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The repository's root: the nearest folder at or above `dir` that holds package.json. The same
 * from the TypeScript sources (run by ts-node) and from their build in dist/ (`npm run build`),
 * which has no package.json of its own.
 */
export function projectRoot(dir: string = __dirname): string {
  for (let current = dir; ; current = path.dirname(current)) {
    if (existsSync(path.join(current, "package.json"))) return current;
    if (path.dirname(current) === current) {
      throw new Error(`no package.json in ${dir} or any folder above it`);
    }
  }
}
