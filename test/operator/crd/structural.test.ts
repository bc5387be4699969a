import { expect } from 'chai';
import { toStructural, UnstructuralSchemaError } from '../../../operator/internal.js';

describe('operator/crd/structural: zod JSON Schema -> Kubernetes structural schema', function () {
  it('drops $schema and additionalProperties: false', function () {
    const out = toStructural({
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      properties: { a: { type: 'string' } },
      additionalProperties: false,
    });
    expect(out).to.deep.equal({ type: 'object', properties: { a: { type: 'string' } } });
  });

  it('turns zod integer ranges into int64/int32 formats and keeps real bounds', function () {
    const out = toStructural({
      type: 'object',
      properties: {
        big: { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
        small: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
        bounded: { type: 'integer', minimum: 1, maximum: 2147483647 },
      },
    });
    expect(out.properties).to.deep.equal({
      big: { type: 'integer', format: 'int64' },
      small: { type: 'integer', format: 'int32' },
      bounded: { type: 'integer', minimum: 1, format: 'int32' },
    });
  });

  it('empties an open object marked x-kubernetes-preserve-unknown-fields', function () {
    const out = toStructural({
      type: 'object',
      properties: {},
      additionalProperties: {},
      'x-kubernetes-preserve-unknown-fields': true,
    });
    expect(out).to.deep.equal({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  });

  it('drops the RFC 3339 regex next to format: date-time', function () {
    expect(toStructural({ type: 'string', format: 'date-time', pattern: '^\\d{4}-.*$' })).to.deep.equal({
      type: 'string',
      format: 'date-time',
    });
  });

  it('maps an integer|string union to x-kubernetes-int-or-string, inside records too', function () {
    const out = toStructural({
      type: 'object',
      additionalProperties: {
        anyOf: [{ type: 'integer', minimum: -9007199254740991 }, { type: 'string' }],
      },
    });
    expect(out.additionalProperties).to.deep.equal({
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
    });
  });

  it('refuses what has no structural form, naming the path', function () {
    const bad = () =>
      toStructural({
        type: 'object',
        properties: { mode: { anyOf: [{ type: 'boolean' }, { type: 'string' }] } },
      });
    expect(bad).to.throw(UnstructuralSchemaError, '.mode: union of boolean, string');
    expect(() => toStructural({ type: 'object', properties: { x: { description: 'untyped' } } })).to.throw(
      UnstructuralSchemaError,
      '.x: every node needs a type',
    );
  });
});
