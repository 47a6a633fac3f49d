import { schemaToTs, type JsonSchema } from './schema-to-ts.ts';

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}
interface Operation {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: JsonSchema }>;
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The client's `Paths` type: per native route and method, its body, query, params and responses. */
export function generateClientTypes(document: OpenApiDocument): string {
  const routes = Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, operations]) => {
      const methods = Object.entries(operations)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]) => `    ${method}: ${printOperation(operation, '    ')};`);
      return `  ${JSON.stringify(path)}: {\n${methods.join('\n')}\n  };`;
    });
  return [
    '// Generated from the OpenAPI document by `npm run openapi` (scripts/openapi). Do not edit by hand:',
    '// a test fails when this file and the server disagree.',
    '/* eslint-disable */',
    'export interface Paths {',
    ...routes,
    '}',
    '',
  ].join('\n');
}

function printOperation(operation: Operation, indent: string): string {
  const inner = `${indent}  `;
  const parts: string[] = [];
  const body = operation.requestBody?.content?.['application/json']?.schema;
  if (body) parts.push(`${inner}body: ${schemaToTs(body, inner)};`);
  for (const place of ['query', 'path'] as const) {
    const params = (operation.parameters ?? []).filter((p) => p.in === place);
    if (params.length === 0) continue;
    const fields = params.map((p) => `${inner}  ${JSON.stringify(p.name)}${p.required ? '' : '?'}: ${schemaToTs(p.schema, `${inner}  `)};`);
    parts.push(`${inner}${place === 'query' ? 'query' : 'params'}: {\n${fields.join('\n')}\n${inner}};`);
  }
  const responses = Object.entries(operation.responses ?? {}).map(([status, response]) => {
    const schema = response.content?.['application/json']?.schema;
    return `${inner}  ${status}: ${schema ? schemaToTs(schema, `${inner}  `) : 'null'};`;
  });
  parts.push(`${inner}responses: {\n${responses.join('\n')}\n${inner}};`);
  return `{\n${parts.join('\n')}\n${indent}}`;
}
