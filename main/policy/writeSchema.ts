// `npm run -s policy:schema`: writes build/policy.schema.json from main/policy/schema.ts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { POLICY_SCHEMA_FILE, policySchemaJson } from './schemaFile';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
writeFileSync(path.join(root, POLICY_SCHEMA_FILE), policySchemaJson());
process.stdout.write(`wrote ${POLICY_SCHEMA_FILE}\n`);
