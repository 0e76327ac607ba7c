// The policy JSON Schema as shipped to IT (build/policy.schema.json, copied into the installers' resources).
import { PolicySchema } from './schema';

export const POLICY_SCHEMA_FILE = 'build/policy.schema.json';

/** Draft 2020-12 JSON Schema text of the policy file, stable for a given schema (diffable, checked by a test). */
export function policySchemaJson(): string {
  const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', ...structuredClone(PolicySchema) };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
