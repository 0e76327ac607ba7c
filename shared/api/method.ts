import type { TSchema } from '@sinclair/typebox';

/** One API method's contract: the schema of its single argument object and of its result. */
export function method<A extends TSchema, R extends TSchema>(args: A, result: R) {
  return { args, result };
}
