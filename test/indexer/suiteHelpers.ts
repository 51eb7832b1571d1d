import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { toDeploymentFile } from "../../deploy/deployment";
import type { Suite } from "../../deploy/suite";

/** Writes a deployment file naming every contract of the suite and returns its path. */
export function writeSuiteDeployment(chainId: number, suite: Suite): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agora-deployment-"));
  const file = path.join(dir, "test.json");
  writeFileSync(file, JSON.stringify(toDeploymentFile("test", chainId, suite)));
  return file;
}
