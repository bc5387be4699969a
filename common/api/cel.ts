import type { z } from 'zod';

/** One entry of a CRD's `x-kubernetes-validations`: a CEL expression the API server checks on every write. */
export interface CelRule {
  rule: string;
  message: string;
  /**
   * The field the API server names in its error, for a rule that sits on a parent (e.g. `.metadata.name` for
   * a rule on the root object, which would otherwise be reported as `<nil>`).
   */
  fieldPath?: string;
}

export const celKey = 'x-kubernetes-validations';

/**
 * Attaches a CEL rule to a schema, and when `check` is given the same rule as a zod refinement, so the API
 * server (CEL) and the code that parses a job (zod) refuse the same objects with the same message. Rules
 * accumulate: calling this twice keeps both.
 */
export function withCel<T extends z.ZodType>(
  schema: T,
  rule: CelRule,
  check?: (value: z.output<T>) => boolean,
): T {
  const path = rule.fieldPath?.split('.').filter(Boolean);
  const checked = check ? schema.refine(check, { message: rule.message, ...(path ? { path } : {}) }) : schema;
  const existing = (checked.meta()?.[celKey] as CelRule[] | undefined) ?? [];
  const entry: CelRule = { rule: rule.rule, message: rule.message };
  if (rule.fieldPath !== undefined) entry.fieldPath = rule.fieldPath;
  return checked.meta({ [celKey]: [...existing, entry] });
}

/**
 * Marks a field immutable once the object exists: a CEL transition rule (`oldSelf`), which the server runs on
 * updates only. zod has no old object to compare with, so there is no zod twin.
 */
export function immutable<T extends z.ZodType>(schema: T, field: string): T {
  return withCel(schema, {
    rule: 'self == oldSelf',
    message: `${field} is immutable once the job exists: submit a new job to change it`,
  });
}
