import { expect } from "chai";
import { blockscoutChains } from "../../deploy/networks";
import { explorersFor } from "../../deploy/verify";

describe("deploy: which explorers verify the sources", function () {
  const names = (explorers: { name: string }[]) => explorers.map((e) => e.name);

  it("uses the chain's Blockscout explorer without a key, and Etherscan with one", function () {
    expect(names(explorersFor(8453, { env: {} }))).to.deep.equal(["Blockscout"]);
    expect(names(explorersFor(8453, { env: { ETHERSCAN_API_KEY: "k" } }))).to.deep.equal([
      "Etherscan",
      "Blockscout",
    ]);
    const base = blockscoutChains({}).find((c) => c.network === "base")!;
    expect(base.urls).to.deep.equal({
      apiURL: "https://base.blockscout.com/api",
      browserURL: "https://base.blockscout.com",
    });
  });

  it("knows no explorer for another chain unless BLOCKSCOUT_URL names one", function () {
    const custom = { RPC_URL: "http://127.0.0.1:9545", CHAIN_ID: "777" };
    expect(explorersFor(777, { env: custom })).to.deep.equal([]);
    expect(
      names(explorersFor(777, { env: { ...custom, BLOCKSCOUT_URL: "https://scan.example/" } })),
    ).to.deep.equal(["Blockscout"]);
    const chain = blockscoutChains({ ...custom, BLOCKSCOUT_URL: "https://scan.example/" }).find(
      (c) => c.chainId === 777,
    )!;
    expect(chain.urls.apiURL).to.equal("https://scan.example/api");
  });

  it("leaves the public explorers out of a rehearsal, keeping one BLOCKSCOUT_URL names", function () {
    const env = { ETHERSCAN_API_KEY: "k" };
    expect(explorersFor(8453, { env, publicOnly: true })).to.deep.equal([]);
    expect(
      names(
        explorersFor(8453, {
          env: { ...env, BLOCKSCOUT_URL: "http://127.0.0.1:1" },
          publicOnly: true,
        }),
      ),
    ).to.deep.equal(["Blockscout"]);
  });
});
