import { describe, expect, it } from "vitest";
import { breakdownValueLabel } from "../../app/lib/funnel-format";

describe("breakdownValueLabel", () => {
  it("shows the logged-in flag in words and leaves every other value as it is", () => {
    expect(breakdownValueLabel("loggedIn", "true")).toBe("Logged in");
    expect(breakdownValueLabel("loggedIn", "false")).toBe("Guest");
    // The rest bucket and values of other attributes are not translated.
    expect(breakdownValueLabel("loggedIn", "(other)")).toBe("(other)");
    expect(breakdownValueLabel("device", "true")).toBe("true");
    expect(breakdownValueLabel("source", "google")).toBe("google");
  });
});
