// Turns the JSON Schema that zod emits (OpenAPI 3.0 target) into a Kubernetes *structural* schema: the subset
// the API server accepts in a CRD, prunes with and defaults from. Pure: JSON in, JSON out.

/** A JSON Schema node as zod emits it; only the keys rewritten here are typed. */
export type SchemaNode = { [key: string]: unknown };

const int64Bounds = { minimum: -9007199254740991, maximum: 9007199254740991 };
const int32Bounds = { minimum: -2147483648, maximum: 2147483647 };

/** A schema that zod produced but Kubernetes cannot take; names the path so the zod source is easy to find. */
export class UnstructuralSchemaError extends Error {
  override readonly name = 'UnstructuralSchemaError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || '(root)'}: ${problem}`);
  }
}

export function toStructural(node: SchemaNode, path = ''): SchemaNode {
  const out: SchemaNode = { ...node };
  // The server validates against its own meta-schema; a $schema key is refused.
  delete out.$schema;
  rewriteIntegerBounds(out);
  // zod spells RFC 3339 as a long regex next to format: date-time; the server checks the format itself.
  if (out.format === 'date-time') delete out.pattern;
  // additionalProperties: false is not allowed (pruning already drops unknown fields); zod's open objects emit
  // `properties: {}` + `additionalProperties: {}`, which a preserve-unknown-fields node must not carry.
  if (out.additionalProperties === false) delete out.additionalProperties;
  if (out['x-kubernetes-preserve-unknown-fields'] === true) {
    if (isEmptyObject(out.additionalProperties)) delete out.additionalProperties;
    if (isEmptyObject(out.properties)) delete out.properties;
  }
  if (Array.isArray(out.anyOf)) return intOrString(out, path);

  if (isObject(out.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([key, child]) => [
        key,
        toStructural(child as SchemaNode, `${path}.${key}`),
      ]),
    );
  }
  if (isObject(out.additionalProperties)) {
    out.additionalProperties = toStructural(out.additionalProperties, `${path}.*`);
  }
  if (isObject(out.items)) out.items = toStructural(out.items, `${path}[]`);
  for (const key of ['allOf', 'oneOf', 'not', '$ref', 'propertyNames']) {
    if (key in out)
      throw new UnstructuralSchemaError(path, `'${key}' has no structural form; change the zod schema`);
  }
  if (out.type === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    throw new UnstructuralSchemaError(path, 'every node needs a type');
  }
  return out;
}

/** zod.int() and zod.int32() emit their numeric ranges as bounds; Kubernetes knows them as formats. */
function rewriteIntegerBounds(out: SchemaNode): void {
  if (out.type !== 'integer') return;
  for (const [format, bounds] of [
    ['int64', int64Bounds],
    ['int32', int32Bounds],
  ] as const) {
    const lowIsFormat = out.minimum === bounds.minimum;
    const highIsFormat = out.maximum === bounds.maximum;
    if (!lowIsFormat && !highIsFormat) continue;
    if (lowIsFormat) delete out.minimum;
    if (highIsFormat) delete out.maximum;
    out.format = format;
  }
}

/** `z.union([z.int(), z.string()])` is the only union the server accepts: x-kubernetes-int-or-string. */
function intOrString(out: SchemaNode, path: string): SchemaNode {
  const types = (out.anyOf as SchemaNode[]).map((branch) => branch.type).sort();
  if (types.length !== 2 || types[0] !== 'integer' || types[1] !== 'string') {
    throw new UnstructuralSchemaError(
      path,
      `union of ${types.join(', ')}; only integer|string is structural`,
    );
  }
  const { anyOf: _anyOf, ...rest } = out;
  return { ...rest, 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
}

function isObject(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmptyObject(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 0;
}
