import { defineConfig } from 'vitest/config';

// The tests Stryker runs against each mutant of the pure core (stryker.config.mjs): the unit tier,
// which imports src/ directly. The other tiers run the built CLI (dist/), which a mutant never reaches.
export default defineConfig({
  test: { include: ['test/unit/**/*.test.ts'] },
});
