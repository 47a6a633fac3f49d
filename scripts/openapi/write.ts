// `npm run openapi`: writes docs/openapi.json and the client's generated types from the running code.
import { writeFile } from 'node:fs/promises';
import { buildOpenApiDocument } from './document.ts';
import { generateClientTypes, type OpenApiDocument } from './generate.ts';

const document = await buildOpenApiDocument();
await writeFile(new URL('../../docs/openapi.json', import.meta.url), `${JSON.stringify(document, null, 2)}\n`);
await writeFile(new URL('../../src/client/api-types.ts', import.meta.url), generateClientTypes(document as unknown as OpenApiDocument));
console.log('wrote docs/openapi.json and src/client/api-types.ts');
