/**
 * Prints the TypeScript type of a JSON Schema, for the subset our route schemas use (objects, arrays,
 * unions, literals, records, intersections). The client's types are generated with it from the OpenAPI
 * document, so they cannot drift from what the server validates and serialises.
 */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  nullable?: boolean;
};

export function schemaToTs(schema: JsonSchema | undefined, indent = ''): string {
  if (!schema) return 'unknown';
  const base = printBase(schema, indent);
  return schema.nullable ? `${base} | null` : base;
}

function printBase(schema: JsonSchema, indent: string): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.anyOf || schema.oneOf) return (schema.anyOf ?? schema.oneOf)!.map((s) => schemaToTs(s, indent)).join(' | ');
  if (schema.allOf) return schema.allOf.map((s) => `(${schemaToTs(s, indent)})`).join(' & ');
  if (Array.isArray(schema.type)) return schema.type.map((type) => schemaToTs({ ...schema, type }, indent)).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${schemaToTs(schema.items, indent)}>`;
    case 'object':
      return printObject(schema, indent);
    default:
      return schema.properties ? printObject(schema, indent) : 'unknown';
  }
}

function printObject(schema: JsonSchema, indent: string): string {
  const inner = `${indent}  `;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(
    ([name, value]) => `${inner}${JSON.stringify(name)}${required.has(name) ? '' : '?'}: ${schemaToTs(value, inner)};`,
  );
  const extra = schema.patternProperties ? Object.values(schema.patternProperties)[0] : schema.additionalProperties;
  if (extra === true || (typeof extra === 'object' && !schema.properties)) {
    fields.push(`${inner}[key: string]: ${extra === true ? 'unknown' : schemaToTs(extra, inner)};`);
  }
  return fields.length ? `{\n${fields.join('\n')}\n${indent}}` : 'Record<string, never>';
}
