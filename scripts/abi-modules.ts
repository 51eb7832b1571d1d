import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/**
 * Writes every product contract's ABI as a TypeScript `as const` module under `abi/`, so viem
 * infers event and function types from it. Generated on each compile, never edited by hand.
 */
export async function writeAbiModules(hre: HardhatRuntimeEnvironment): Promise<string[]> {
  const outDir = path.join(hre.config.paths.root, "abi");
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const fqn of await hre.artifacts.getAllFullyQualifiedNames()) {
    if (!fqn.startsWith("contracts/") || fqn.startsWith("contracts/test/")) continue;
    const artifact = await hre.artifacts.readArtifact(fqn);
    if (artifact.abi.length === 0) continue;
    const source =
      `// Generated from ${artifact.sourceName} on compile. Do not edit.\n` +
      `export const ${artifact.contractName}Abi = ${JSON.stringify(artifact.abi, null, 2)} as const;\n`;
    const file = path.join(outDir, `${artifact.contractName}.ts`);
    writeIfChanged(file, source);
    written.push(artifact.contractName);
  }
  const index = written
    .sort()
    .map((name) => `export { ${name}Abi } from "./${name}";\n`)
    .join("");
  // Unchanged modules keep their modification time: the app build and `tsc -b` then see that
  // nothing they are built from changed, and skip their work.
  writeIfChanged(path.join(outDir, "index.ts"), `// Generated on compile. Do not edit.\n${index}`);
  return written;
}

function writeIfChanged(file: string, source: string): void {
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== source)
    fs.writeFileSync(file, source);
}
