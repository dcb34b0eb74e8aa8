/**
 * The published JSON Schema of `monitor-stack.yaml` (schema/monitor-stack.schema.json, for editors'
 * completion and checks), from the zod schema. Input shape: every key optional, as a user writes it.
 * Checks zod runs as code (DNS names, durations, references) are not representable and appear
 * as plain strings with their description.
 */
import { z } from 'zod';
import { configFileSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any', reused: 'ref' }) as Record<string, unknown>;
  schema.title = 'monitor-stack.yaml';
  return schema;
}
