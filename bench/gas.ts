import path from "node:path";
import hre from "hardhat";
import { measureCoins } from "./gas/coins";
import { measureDao } from "./gas/dao";
import { measurePrivacy } from "./gas/privacy";
import { measureProfiles } from "./gas/profiles";
import { writeFigures } from "./figures";

/**
 * `npm run bench:gas`: the gas used by every user-facing operation (whole transaction, as a
 * wallet pays it), written to bench/gas.json so that a change that moves a figure shows it.
 */
const AREAS: Record<string, () => Promise<Record<string, number>>> = {
  profiles: measureProfiles,
  coins: measureCoins,
  dao: measureDao,
  privacy: measurePrivacy,
};

async function main(): Promise<void> {
  const report: Record<string, Record<string, number>> = {};
  for (const [area, measure] of Object.entries(AREAS)) {
    await hre.network.provider.send("hardhat_reset");
    report[area] = await measure();
  }
  const target = path.join(__dirname, "gas.json");
  await writeFigures(target, report);
  for (const [area, figures] of Object.entries(report)) {
    console.log(area);
    for (const [op, gas] of Object.entries(figures)) console.log(`  ${op.padEnd(48)} ${gas}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
