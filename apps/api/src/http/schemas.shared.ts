import { z } from 'zod';

// The pieces every area's schemas are built from.
export const uuid = z.uuid();
export const time = z.iso.datetime();
export const maybeTime = time.nullable();
export const cursor = z.string().nullable().describe('Opaque keyset cursor for the next page; null on the last page');
export const role = z.enum(['commenter', 'moderator', 'admin']);
