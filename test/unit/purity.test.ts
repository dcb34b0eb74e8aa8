/** The pure core (src/core/, the overlays, the release plan) imports no fs, process, prompt, colour or cluster module. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/run.js';

const FORBIDDEN = /^(node:)?(fs|fs\/promises|child_process|process|readline|tty|net|http|https)$|^(execa|chalk|ora|@inquirer\/.*|@kubernetes\/client-node)$/;
const pure = [
  ...readdirSync(join(ROOT, 'src', 'core')).map((f) => join('src', 'core', f)),
  ...readdirSync(join(ROOT, 'src', 'overlays')).map((f) => join('src', 'overlays', f)),
  join('src', 'plan.ts'),
  join('src', 'safety.ts'),
];

it('the import scan reads imports (it finds the manifest module importing yaml)', () => {
  expect(readFileSync(join(ROOT, 'src', 'core', 'manifest.ts'), 'utf8').match(/^import[^'"]*['"]([^'"]+)['"]/gm)).toContain("import { parseAllDocuments, stringify } from 'yaml'");
});

describe.each(pure)('%s', (file) => {
  const text = readFileSync(join(ROOT, file), 'utf8');
  it('imports only pure modules and never touches process', () => {
    const imports = [...text.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    expect(imports.filter((i) => FORBIDDEN.test(i))).toEqual([]);
    expect(text).not.toMatch(/\bprocess\.(env|argv|exit|stdout|stderr|cwd)/);
    // Relative imports stay inside the pure set or the config types.
    for (const i of imports.filter((x) => x.startsWith('.'))) expect(i).not.toMatch(/(\/stack\.js|\/ui\.js|present|fsutil|kube\/|helm\/|commands\/)/);
  });
});
