import { defineConfig } from 'vitest/config';

// Five tiers. `npm test` runs them all; the tools tier builds promtool and amtool from Go modules
// (test/tools/global-setup.ts); the e2e tier starts a real kube-apiserver and etcd and a chart
// repository on 127.0.0.1, and runs real helm 3 and helm 4 (test/e2e/global-setup.ts).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'prompts', include: ['test/prompts/**/*.test.ts'] } },
      { test: { name: 'cli', include: ['test/cli/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'tools',
          include: ['test/tools/**/*.test.ts'],
          globalSetup: ['test/tools/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 1_200_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 1_200_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
