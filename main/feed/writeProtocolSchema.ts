// `npm run -s protocol:schema`: writes docs/fw-feed-1.schema.json from shared/protocol/schema.ts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_SCHEMA_FILE, protocolSchemaJson } from '../../shared/protocol/jsonSchema';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
writeFileSync(path.join(root, PROTOCOL_SCHEMA_FILE), protocolSchemaJson());
process.stdout.write(`wrote ${PROTOCOL_SCHEMA_FILE}\n`);
