import type { Json } from './client.js';
/** Walks the OpenAPI document so sweeps (tenant isolation, fuzzing) cover every route without a hand-kept list. */

export interface Operation {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly params: string[];
  readonly bodySchema: JsonSchema | undefined;
  readonly querySchema: { name: string; required: boolean; schema: JsonSchema }[];
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  minItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  additionalProperties?: boolean | JsonSchema;
}

export function operationsOf(doc: Json): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const [method, op] of Object.entries<Json>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const query = (op.parameters ?? [])
        .filter((p: Json) => p.in === 'query')
        .map((p: Json) => ({ name: p.name, required: !!p.required, schema: p.schema ?? {} }));
      ops.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        params,
        bodySchema: op.requestBody?.content?.['application/json']?.schema,
        querySchema: query,
      });
    }
  }
  return ops;
}

/** A small valid-looking value for a schema; `overrides` by property name wins. */
export function sampleOf(schema: JsonSchema | undefined, overrides: Record<string, unknown> = {}, name = ''): unknown {
  if (!schema) return undefined;
  if (name in overrides) return overrides[name];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return sampleOf(choices.find((s) => s.type !== 'null') ?? choices[0], overrides, name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = sampleOf(schema.properties?.[key], overrides, key);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sampleOf(schema.items, overrides));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      if (schema.format === 'email') return 'someone@example.com';
      return 'x'.repeat(Math.max(schema.minLength ?? 1, Math.min(schema.maxLength ?? 24, 24)));
  }
}
