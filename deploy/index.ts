import path from "node:path";
import hre from "hardhat";
import { writeDeploymentFile, toLaunchFile, deploymentsDir } from "./deployment";
import { printAudit, parametersFor, targetOf } from "./launch";
import { deployerWallet } from "./networks";
import { checkConcentration } from "./parameters";
import { deployWithParameters } from "./suite";
import { explorersFor, verifyDeployment } from "./verify";

/**
 * `npm run deploy -- --network <name>`: deploys the suite that deploy/parameters/<name>.json
 * describes, resumably (deployments/<name>.journal.json), writes deployments/<name>.json,
 * verifies the sources (deploy/verify.ts), and ends with the audit.
 */
async function main(): Promise<void> {
  await hre.run("compile", { quiet: true });
  const target = await targetOf(hre);
  const wallet = deployerWallet(hre.ethers.provider, target.chainId, target.network);
  const parameters = checkConcentration(
    parametersFor(target),
    wallet.address,
    target.parametersFile,
  );
  if (parameters.rehearsalOnly && !target.isDev && process.env.AGORA_REHEARSAL !== "1") {
    throw new Error(
      `${target.parametersFile} is marked rehearsalOnly: its recipients are placeholders nobody holds a key to. ` +
        "Replace them with the real addresses and remove rehearsalOnly, or set AGORA_REHEARSAL=1 when the network is a local node",
    );
  }
  const balance = await hre.ethers.provider.getBalance(wallet.address);
  if (balance === 0n) {
    throw new Error(
      `the deployer ${wallet.address} has no ETH on chain ${target.chainId}; fund it first (docs/deploy.md)`,
    );
  }
  console.log(
    `deploying to ${target.network} (chain ${target.chainId}) from ${wallet.address} with ${path.relative(process.cwd(), target.parametersFile)}`,
  );
  const launch = await deployWithParameters(wallet, parameters, {
    // The in-process network disappears with this process: nothing to resume.
    journalFile: target.network === "hardhat" ? undefined : target.journalFile,
    log: (line) => console.log(`  ${line}`),
  });
  if (launch.runner.resumed.length > 0) {
    console.log(
      `resumed: ${launch.runner.resumed.length} steps were already mined and were not sent again`,
    );
  }
  const file = toLaunchFile(target.network, target.chainId, launch, {
    deployer: wallet.address,
    parameters: path.relative(hre.config.paths.root, target.parametersFile),
  });
  const written = writeDeploymentFile(
    hre.config.paths.root,
    file,
    deploymentsDir(hre.config.paths.root),
  );
  console.log(`wrote ${written}`);
  for (const [name, { address, blockNumber }] of Object.entries(file.contracts)) {
    console.log(`  ${name.padEnd(20)} ${address}  block ${blockNumber}`);
  }
  if (!target.isDev) {
    const rehearsal = process.env.AGORA_REHEARSAL === "1";
    if (rehearsal && !process.env.BLOCKSCOUT_URL) {
      console.log(
        "\nSource verification skipped: a rehearsal's contracts are on a local node that public explorers do not see (BLOCKSCOUT_URL names an explorer that does)",
      );
    } else {
      await verifyDeployment(hre, file, explorersFor(file.chainId, { publicOnly: rehearsal }));
    }
  }
  const report = await printAudit(hre, file, parameters);
  if (report.violations.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `deploy failed: ${error.message}` : error);
  process.exitCode = 1;
});
