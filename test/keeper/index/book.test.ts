// The liquidation-price book against a plain filter, on random updates.
import { expect } from "chai";
import fc from "fast-check";
import { LiquidationBook } from "../../../keeper/src/index/book";

describe("keeper/index/book", function () {
  it("atOrAbove_returnsTheCrossedVaultsHighestFirst", function () {
    const book = new LiquidationBook();
    book.set(1n, 1_500n);
    book.set(2n, 2_600n);
    book.set(3n, 2_450n);
    book.set(4n, 900n);
    expect(book.atOrAbove(2_400n)).to.deep.equal([2n, 3n]);
    book.set(2n, 1_000n);
    book.set(3n, undefined);
    expect(book.atOrAbove(2_400n)).to.deep.equal([]);
    expect(book.atOrAbove(1_000n)).to.deep.equal([1n, 2n]);
    expect(book.size).to.equal(3);
  });

  it("atOrAbove_afterRandomUpdates_equalsAPlainFilter", function () {
    const update = fc.tuple(fc.bigInt({ min: 1n, max: 40n }), fc.option(fc.bigInt({ min: 0n, max: 50n })));
    fc.assert(
      fc.property(fc.array(update, { maxLength: 200 }), fc.bigInt({ min: 0n, max: 50n }), (updates, price) => {
        const book = new LiquidationBook();
        const plain = new Map<bigint, bigint>();
        for (const [id, key] of updates) {
          book.set(id, key ?? undefined);
          if (key === null) plain.delete(id);
          else plain.set(id, key);
        }
        const expected = [...plain]
          .filter(([, key]) => key >= price)
          .sort(([ia, a], [ib, b]) => (a === b ? Number(ib - ia) : a > b ? -1 : 1))
          .map(([id]) => id);
        expect(book.atOrAbove(price)).to.deep.equal(expected);
        expect(book.countAtOrAbove(price)).to.equal(expected.length);
        expect(book.size).to.equal(plain.size);
      }),
    );
  });
});
