import { describe, expect, it } from "vitest";
import { findPii } from "../../helpers/pixel-harness";

// The PII checks of the privacy tests rest on this matcher: it must find every
// planted value as a value, and not trip over digits inside timestamps and ids.
describe("findPii", () => {
  it("finds planted values as whole tokens", () => {
    expect(findPii('{"zip":"99999"}')).toEqual(["99999"]);
    expect(findPii("mail jane.doe.pii@example.com, 12 Elmwood Street.")).toEqual(["jane.doe.pii@example.com", "12 Elmwood Street"]);
    expect(findPii("+1 555 0100 4242")).toEqual(["555 0100 4242"]);
  });
  it("ignores the same digits inside timestamps and ids", () => {
    expect(findPii('{"ts":"1796399999098","id":"a99999-0042","n":1999990}')).toEqual([]);
  });
});
