// A short memory soak (`npm run soak` runs a million exchanges): mixed exchanges through the host and the guard,
// and the module's linear memory must not grow after warm-up.
import { describe, expect, it } from "vitest";
import { formatSoak, runSoak } from "../bench/soak.ts";

describe("memory soak (short run)", () => {
  it("keeps linear memory flat after warm-up and never traps", async () => {
    const result = await runSoak({ requests: 30_000 });
    console.log(formatSoak(result));
    expect(result.trapped).toBe(false);
    expect(result.pagesAtEnd).toBe(result.pagesAfterWarmup);
    // Every kind of exchange in the mix ended the way it should at least once.
    expect(Object.keys(result.outcomes["call denied"] ?? {})).toEqual(["200"]);
    expect(Object.keys(result.outcomes["malformed"] ?? {})).toContain("400");
  }, 90_000);
});
