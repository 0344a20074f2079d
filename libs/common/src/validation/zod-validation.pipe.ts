import { Injectable, PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';
import { ErrorCode } from '../errors/error-codes.js';

export interface FieldError {
  path: string;
  code: string;
  message: string;
}

export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...issue.path, key].join('.'),
        code: 'unknown_field',
        message: `"${key}" is not an accepted field`,
      }));
    }
    return [{ path: issue.path.join('.'), code: issue.code, message: issue.message }];
  });
}

// Parses input against a schema (strict objects refuse unknown fields), or
// throws one DomainError listing every problem.
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = toFieldErrors(result.error);
  const unknown = errors.some((e) => e.code === 'unknown_field');
  throw new DomainError(
    unknown ? ErrorCode.UnknownFields : ErrorCode.ValidationFailed,
    errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '),
    { errors },
  );
}

@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    return parseInput(this.schema, value);
  }
}

// JSON Schema (2020-12, the dialect of OpenAPI 3.1 and AsyncAPI 3) for the
// API's documents, from the same zod schema: what a client sends (`input`)
// or what the server writes (`output`).
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}
