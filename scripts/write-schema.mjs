// Writes schema/monitor-stack.schema.json from the zod schema in dist/ (run after tsc).
import { mkdirSync, writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/config/json-schema.js';

mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
writeFileSync(new URL('../schema/monitor-stack.schema.json', import.meta.url), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
