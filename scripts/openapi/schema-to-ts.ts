/**
 * Prints the TypeScript type of a JSON Schema, for the subset our route schemas use (objects, arrays,
 * unions, literals, records, intersections, references to components). The client's types are generated
 * with it from the OpenAPI document, so they cannot drift from what the server validates and serialises.
 */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  description?: string;
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

export interface PrintOptions {
  indent?: string;
  /**
   * What the open part of an object (`additionalProperties: true`) holds. Answers say `unknown`, so reading
   * them needs a check. Requests say `any`: TypeScript gives an interface (such as @simplewebauthn's
   * `AuthenticationResponseJSON`) no implicit index signature, so only `[key: string]: any` accepts one as is.
   */
  open?: 'unknown' | 'any';
}

const COMPONENT = '#/components/schemas/';

export function schemaToTs(schema: JsonSchema | undefined, options: PrintOptions = {}): string {
  if (!schema) return 'unknown';
  const base = printBase(schema, { indent: options.indent ?? '', open: options.open ?? 'unknown' });
  return schema.nullable ? `${base} | null` : base;
}

/** The name a `$ref` to a component stands for; the generator declares each component once by that name. */
export function componentName(ref: string): string {
  if (!ref.startsWith(COMPONENT)) throw new Error(`only references to ${COMPONENT}* are supported (got ${ref})`);
  const name = ref.slice(COMPONENT.length);
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new Error(`component "${name}" is not a TypeScript name`);
  return name;
}

function printBase(schema: JsonSchema, options: Required<PrintOptions>): string {
  const print = (s: JsonSchema | undefined, indent = options.indent) => schemaToTs(s, { ...options, indent });
  if (schema.$ref) return componentName(schema.$ref);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.anyOf || schema.oneOf) return (schema.anyOf ?? schema.oneOf)!.map((s) => print(s)).join(' | ');
  if (schema.allOf) return schema.allOf.map((s) => `(${print(s)})`).join(' & ');
  if (Array.isArray(schema.type)) return schema.type.map((type) => print({ ...schema, type })).join(' | ');
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
      return `Array<${print(schema.items)}>`;
    case 'object':
      return printObject(schema, options);
    default:
      return schema.properties ? printObject(schema, options) : 'unknown';
  }
}

function printObject(schema: JsonSchema, options: Required<PrintOptions>): string {
  const inner = `${options.indent}  `;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(
    ([name, value]) => `${inner}${JSON.stringify(name)}${required.has(name) ? '' : '?'}: ${schemaToTs(value, { ...options, indent: inner })};`,
  );
  const extra = schema.patternProperties ? Object.values(schema.patternProperties)[0] : schema.additionalProperties;
  if (extra === true || (typeof extra === 'object' && !schema.properties)) {
    fields.push(`${inner}[key: string]: ${extra === true ? options.open : schemaToTs(extra, { ...options, indent: inner })};`);
  }
  return fields.length ? `{\n${fields.join('\n')}\n${options.indent}}` : 'Record<string, never>';
}
