import { z } from 'zod';

// The kinds of value more than one group of variables reads.
export const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

export const port = z.coerce.number().int().min(0).max(65535);
