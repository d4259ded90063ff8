import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import type Joi from 'joi';

/** A JSON Schema 2020-12 (OpenAPI 3.1) schema object. */
export type JsonSchema = { [key: string]: unknown };

interface Dependency {
  peers: string[];
}

// joi-to-json writes joi's `and` and `oxor` as nested oneOf/not trees; these say the same in
// the keywords a reader (and Swagger UI) understands at a glance.
const logicalOpParser = {
  /** All or none: each one present needs the others. */
  and: (schema: JsonSchema, { peers }: Dependency) => {
    schema.dependentRequired = Object.fromEntries(peers.map((p) => [p, peers.filter((q) => q !== p)]));
  },
  /** At most one: no two together. */
  oxor: (schema: JsonSchema, { peers }: Dependency) => {
    const pairs = peers.flatMap((p, i) => peers.slice(i + 1).map((q) => ({ required: [p, q] })));
    schema.not = pairs.length === 1 ? pairs[0] : { anyOf: pairs };
  },
};

/** The part of joi-to-json's parser classes used here. */
interface JoiToJsonParser {
  parse(description: Joi.Description, definitions: Record<string, JsonSchema>): JsonSchema;
  _setObjectProperties(schema: JsonSchema, spec: Joi.Description, definitions: unknown, level: number): void;
  _setAnyProperties(schema: JsonSchema): void;
}

/**
 * joi-to-json's OpenAPI 3.1 parser (what its `parse(schema, 'open-api-3.1')` uses), taught an
 * object's key count (`Joi.object().min(1)` is `minProperties: 1`), and to write `Joi.any()` (or
 * a `Joi.when` whose branches say the type) without a type rather than as a list of every type.
 */
const OpenApi31Parser = createRequire(import.meta.url)('joi-to-json/lib/parsers/open-api-3.1.js') as new (options: object) => JoiToJsonParser;
class Parser extends OpenApi31Parser {
  override _setObjectProperties(schema: JsonSchema, spec: Joi.Description, definitions: unknown, level: number): void {
    super._setObjectProperties(schema, spec, definitions, level);
    if (schema.type !== 'object') return;
    for (const rule of (spec.rules ?? []) as Array<{ name: string; args: { limit: number } }>) {
      if (rule.name === 'min' || rule.name === 'length') schema.minProperties = rule.args.limit;
      if (rule.name === 'max' || rule.name === 'length') schema.maxProperties = rule.args.limit;
    }
  }

  override _setAnyProperties(schema: JsonSchema): void {
    if (schema.type === 'any') delete schema.type;
  }
}
const parser = new Parser({ logicalOpParser });

/**
 * Converts joi schemas (the ones routes validate with, and the ones beside presenters) to OpenAPI
 * 3.1 schemas. A joi schema with an `.id('Name')` becomes `components.schemas.Name` and a `$ref`
 * wherever it is used; two different schemas under one name are refused.
 */
export function createSchemaComponents() {
  const schemas: Record<string, JsonSchema> = {};
  const toJsonSchema = (joi: Joi.Schema): JsonSchema => {
    const definitions: Record<string, JsonSchema> = {};
    const { schemas: _definitions, ...schema } = parser.parse(joi.describe(), definitions);
    for (const [name, definition] of Object.entries(definitions)) {
      if (schemas[name] !== undefined && !isDeepStrictEqual(schemas[name], definition)) {
        throw new Error(`Two different joi schemas are both named "${name}"`);
      }
      schemas[name] = definition;
    }
    return schema;
  };
  return { schemas, toJsonSchema };
}
