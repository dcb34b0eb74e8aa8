// Writes schema/monitor-stack.schema.json from the zod schema in dist/ (run after tsc).
import { mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { configFileSchema } from '../dist/config/schema.js';

const schema = z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any' });
schema.title = 'monitor-stack.yaml';
mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
writeFileSync(new URL('../schema/monitor-stack.schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
