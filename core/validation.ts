import type { z } from 'zod';
import { SuccessEngineError } from './errors';

export interface ValidationIssue {
  /** Dotted path to the field at fault, e.g. `churn.drivers.0.text.zh`. */
  path: string;
  message: string;
}

export function describeIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Parse or throw a CORE.VALIDATION_FAILED error whose message names every field at fault. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = describeIssues(result.error);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new SuccessEngineError('CORE.VALIDATION_FAILED', `invalid ${what}: ${summary}`, { issues });
}
