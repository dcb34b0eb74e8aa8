// Mutation testing of the pure core: `npm run mutation` (slow; not part of `npm test`).
// Prints the score per file and every surviving mutant; the HTML report is reports/mutation/.
// Each survivor is either killed by a test or explained in test/mutation-survivors.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/config/merge.ts',
    'src/config/schema.ts',
    'src/config/flags.ts',
    'src/overlays/*.ts',
    'src/validate.ts',
    'src/refs.ts',
    'src/plan.ts',
    'src/secrets.ts',
    'src/safety.ts',
    'src/core/*.ts',
    'src/helm/client.ts',
  ],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  concurrency: 2,
  timeoutMS: 20000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
