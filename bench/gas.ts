import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { measureProfiles } from "./gas/profiles";

/**
 * `npm run bench:gas`: the gas used by every user-facing operation (whole transaction, as a
 * wallet pays it), written to bench/gas.json so that a change that moves a figure shows it.
 */
const AREAS: Record<string, () => Promise<Record<string, number>>> = {
  profiles: measureProfiles,
};

async function main(): Promise<void> {
  const report: Record<string, Record<string, number>> = {};
  for (const [area, measure] of Object.entries(AREAS)) {
    await hre.network.provider.send("hardhat_reset");
    report[area] = await measure();
  }
  const target = path.join(__dirname, "gas.json");
  fs.writeFileSync(target, JSON.stringify(report, null, 2) + "\n");
  for (const [area, figures] of Object.entries(report)) {
    console.log(area);
    for (const [op, gas] of Object.entries(figures)) console.log(`  ${op.padEnd(48)} ${gas}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
