import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  impersonateAccount,
  loadFixture,
  setBalance,
} from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, Wallet } from "ethers";
import { auditDeployment } from "../../deploy/audit";
import { toLaunchFile, type DeploymentFile } from "../../deploy/deployment";
import { HARDHAT_ACCOUNT_0_KEY } from "../../deploy/networks";
import { loadParameters, type Parameters } from "../../deploy/parameters";
import { ROLES } from "../../deploy/plan";
import { deployWithParameters } from "../../deploy/suite";
import { TipJar__factory } from "../../typechain-types";

const ROOT = path.resolve(__dirname, "..", "..");
const DEV = loadParameters(path.join(ROOT, "deploy", "parameters", "localhost.json"));
/** The dev parameters with a vesting allocation, so the audit sees a vesting wallet too. */
const PARAMETERS: Parameters = {
  ...DEV,
  distribution: [
    { ...DEV.distribution[0], amount: DEV.distribution[0].amount - parseEther("2000000") },
    ...DEV.distribution.slice(1),
    {
      name: "contributor",
      recipient: "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
      amount: parseEther("2000000"),
      selfDelegate: false,
      vesting: { start: 1_800_000_000, duration: 126_230_400 },
    },
  ],
};

describe("The post-deploy audit (deploy/audit.ts)", function () {
  async function launched() {
    const deployer = new Wallet(HARDHAT_ACCOUNT_0_KEY, ethers.provider);
    const launch = await deployWithParameters(deployer, PARAMETERS);
    const chainId = Number((await ethers.provider.getNetwork()).chainId);
    const file = toLaunchFile("hardhat", chainId, launch, {
      deployer: deployer.address,
      parameters: "test",
    });
    await impersonateAccount(launch.suite.timelock.address);
    await setBalance(launch.suite.timelock.address, parseEther("10"));
    const asTimelock = await ethers.getSigner(launch.suite.timelock.address);
    return { launch, file, deployer, asTimelock };
  }

  const audit = (file: DeploymentFile, parameters = PARAMETERS) =>
    auditDeployment(ethers.provider, file, parameters);

  /** The audit fails with a violation matching `pattern`. */
  async function expectViolation(file: DeploymentFile, pattern: RegExp, parameters = PARAMETERS) {
    const report = await audit(file, parameters);
    expect(
      report.violations.some((v) => pattern.test(v)),
      report.violations.join("\n"),
    ).to.equal(true);
  }

  it("passes a launch exactly as its parameters describe", async function () {
    const { file } = await loadFixture(launched);
    const report = await audit(file);
    expect(report.violations, report.violations.join("\n")).to.deep.equal([]);
    expect(report.passed).to.include("the timelock is its own admin");
    expect(report.passed).to.include("TipJar is governed by the timelock");
    expect(report.passed.join("\n")).to.match(/vesting wallet "contributor" vests to 0xa0Ee/);
    expect(report.passed.join("\n")).to.match(/none of \d+ holders reaches quorum/);
  });

  it("catches a timelock that is not its own admin", async function () {
    const { file, launch, asTimelock } = await loadFixture(launched);
    const timelock = launch.suite.timelock.contract.connect(asTimelock);
    await (
      await timelock.renounceRole(ROLES.DEFAULT_ADMIN_ROLE, launch.suite.timelock.address)
    ).wait();
    await expectViolation(file, /^the timelock is not its own admin/);
  });

  it("catches an externally owned account holding a role", async function () {
    const { file, launch, asTimelock } = await loadFixture(launched);
    const eoa = Wallet.createRandom().address;
    const timelock = launch.suite.timelock.contract.connect(asTimelock);
    await (await timelock.grantRole(ROLES.EXECUTOR_ROLE, eoa)).wait();
    await expectViolation(file, new RegExp(`externally owned account ${eoa} holds EXECUTOR_ROLE`));
    await expectViolation(file, /EXECUTOR_ROLE is held by \[.*\], not by everyone/);
  });

  it("catches a proposer other than the governor, even a contract", async function () {
    const { file, launch, asTimelock } = await loadFixture(launched);
    const timelock = launch.suite.timelock.contract.connect(asTimelock);
    await (await timelock.grantRole(ROLES.PROPOSER_ROLE, launch.suite.tipJar.address)).wait();
    await expectViolation(file, /PROPOSER_ROLE is held by \[.*\], not by the governor .* alone/);
  });

  it("catches a governor that can no longer cancel", async function () {
    const { file, launch, asTimelock } = await loadFixture(launched);
    const timelock = launch.suite.timelock.contract.connect(asTimelock);
    await (await timelock.revokeRole(ROLES.CANCELLER_ROLE, launch.suite.governor.address)).wait();
    await expectViolation(file, /CANCELLER_ROLE is held by \[\], not by the governor/);
  });

  it("catches a deployer that kept the timelock's admin role", async function () {
    const { file, launch, asTimelock, deployer } = await loadFixture(launched);
    const timelock = launch.suite.timelock.contract.connect(asTimelock);
    await (await timelock.grantRole(ROLES.DEFAULT_ADMIN_ROLE, deployer.address)).wait();
    await expectViolation(
      file,
      new RegExp(`externally owned account ${deployer.address} holds DEFAULT_ADMIN_ROLE`),
    );
  });

  it("catches a tip jar governed by someone else than the timelock", async function () {
    const { file, launch, deployer } = await loadFixture(launched);
    const registry = launch.suite.profileRegistry.address;
    const rogue = await new TipJar__factory(deployer).deploy(
      registry,
      registry,
      launch.suite.revenueSplit.address,
      deployer.address,
      250,
      2_000,
    );
    const receipt = await rogue.deploymentTransaction()!.wait();
    const forged = structuredClone(file);
    forged.contracts.TipJar = {
      address: (await rogue.getAddress()).toLowerCase(),
      blockNumber: receipt!.blockNumber,
    };
    await expectViolation(forged, new RegExp(`^TipJar is governed by ${deployer.address}`));
  });

  it("catches a genesis distribution other than the parameters", async function () {
    const { file } = await loadFixture(launched);
    const other = structuredClone(PARAMETERS);
    other.distribution[1].amount += parseEther("1");
    other.distribution[0].amount -= parseEther("1");
    await expectViolation(
      file,
      /0xf39F.* received 1,000,000 tokens at genesis, the parameters say 1,000,001/,
      other,
    );
    const undelegated = structuredClone(PARAMETERS);
    undelegated.distribution[2].selfDelegate = false;
    await expectViolation(
      file,
      /was self-delegated at genesis, the parameters say the opposite/,
      undelegated,
    );
  });

  it("catches fees and allocations other than the parameters", async function () {
    const { file } = await loadFixture(launched);
    const other = structuredClone(PARAMETERS);
    other.fees.tipFeeBps = 300;
    other.revenue.buckets[0].bps = 4_000;
    other.revenue.creatorShareBps = 3_000;
    await expectViolation(file, /^the tip fee is 250 on chain but 300 in the parameters/, other);
    await expectViolation(
      file,
      /^the revenue allocation is .* on chain but .* in the parameters/,
      other,
    );
  });

  it("catches a holder who reaches quorum alone, by balance or by delegated votes", async function () {
    const { file, launch, asTimelock } = await loadFixture(launched);
    const whale = Wallet.createRandom().address;
    const token = launch.suite.governanceToken.contract.connect(asTimelock);
    await (await token.transfer(whale, parseEther("4000000"))).wait();
    await expectViolation(
      file,
      new RegExp(`^${whale} holds 4,000,000 votes, reaching quorum \\(4,000,000\\) alone`),
    );
    const accepted = {
      ...PARAMETERS,
      allowConcentration: ["quorum", "proposalThreshold"] as Parameters["allowConcentration"],
    };
    expect((await audit(file, accepted)).violations).to.deep.equal([]);
  });

  it("catches the deployer as a revenue bucket", async function () {
    const { file, launch, asTimelock, deployer } = await loadFixture(launched);
    const split = launch.suite.revenueSplit.contract.connect(asTimelock);
    await (await split.setAllocation([{ recipient: deployer.address, bps: 8_000 }], 2_000)).wait();
    await expectViolation(file, /^the deployer 0xf39F.* is a revenue bucket/);
  });

  it("checks the chain against the deployment file", async function () {
    const { file } = await loadFixture(launched);
    await expectViolation(
      { ...file, chainId: 8453 },
      /the node is chain 31337, the deployment file says 8453/,
    );
  });
});
