import { expect } from "chai";
import { formatAmount, parseAmount } from "../../app/src/shared/format";

describe("the app's amounts", function () {
  describe("in 18 decimals (ETH, creator coins) by default", function () {
    it("parses what is typed to wei and shows it back", function () {
      expect(parseAmount("0.01")).to.equal(10n ** 16n);
      expect(parseAmount("1.000000000000000001")).to.equal(10n ** 18n + 1n);
      expect(formatAmount(1_500_000_000_000_000_000n)).to.equal("1.5");
    });
  });

  describe("in a token's own decimals", function () {
    it("parses 12.5 of a 6-decimal token to 12,500,000 base units and shows it back", function () {
      expect(parseAmount("12.5", 6)).to.equal(12_500_000n);
      expect(formatAmount(12_500_000n, 4, 6)).to.equal("12.5");
      expect(formatAmount(1n, 4, 6)).to.equal("0.000001");
      expect(formatAmount(1_234_567_000_000n, 4, 6)).to.equal("1,234,567");
    });

    it("refuses more decimals than the token has", function () {
      expect(parseAmount("0.000001", 6)).to.equal(1n);
      expect(parseAmount("0.0000001", 6)).to.equal(null);
      expect(parseAmount("1.5", 0)).to.equal(null);
      expect(parseAmount("7", 0)).to.equal(7n);
    });

    it("refuses what is not a number", function () {
      for (const text of ["", ".", "1e6", "-1", "1,5", "abc"])
        expect(parseAmount(text, 6), text).to.equal(null);
    });
  });
});
