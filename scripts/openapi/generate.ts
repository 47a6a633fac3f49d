import { schemaToTs, type JsonSchema } from './schema-to-ts.ts';

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}
interface Operation {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: JsonSchema }>;
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * The client's types: one per component of the document (`User`, `ErrorBody`, ...), then `Paths`: per native
 * route and method, its body, query, params and responses, naming the components where the server refers to them.
 */
export function generateClientTypes(document: OpenApiDocument): string {
  const components = Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => printComponent(name, schema));
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
    ...components,
    'export interface Paths {',
    ...routes,
    '}',
    '',
  ].join('\n');
}

/** A component as an exported type alias (an alias, unlike an interface, is assignable to records). */
function printComponent(name: string, schema: JsonSchema): string {
  const doc = schema.description ? `/** ${schema.description.replace(/\*\//g, '*\\/')} */\n` : '';
  // A long list of values (the error codes) reads better one a line.
  const type = schema.enum && schema.enum.length > 4 ? schema.enum.map((v) => `\n  | ${JSON.stringify(v)}`).join('') : ` ${schemaToTs(schema)}`;
  return `${doc}export type ${name} =${type};\n`;
}

function printOperation(operation: Operation, indent: string): string {
  const inner = `${indent}  `;
  const parts: string[] = [];
  const request = { open: 'any' as const };
  const body = operation.requestBody?.content?.['application/json']?.schema;
  if (body) parts.push(`${inner}body: ${schemaToTs(body, { ...request, indent: inner })};`);
  for (const place of ['query', 'path'] as const) {
    const params = (operation.parameters ?? []).filter((p) => p.in === place);
    if (params.length === 0) continue;
    const fields = params.map((p) => `${inner}  ${JSON.stringify(p.name)}${p.required ? '' : '?'}: ${schemaToTs(p.schema, { ...request, indent: `${inner}  ` })};`);
    parts.push(`${inner}${place === 'query' ? 'query' : 'params'}: {\n${fields.join('\n')}\n${inner}};`);
  }
  const responses = Object.entries(operation.responses ?? {}).map(([status, response]) => {
    const schema = response.content?.['application/json']?.schema;
    return `${inner}  ${status}: ${schema ? schemaToTs(schema, { indent: `${inner}  ` }) : 'null'};`;
  });
  parts.push(`${inner}responses: {\n${responses.join('\n')}\n${inner}};`);
  return `{\n${parts.join('\n')}\n${indent}}`;
}
