import { toProblem } from '../edge/problem.js';

export interface AckError {
  error: { code: string; status: number; title: string; detail?: string; [extra: string]: unknown };
}

// The socket's twin of the problem document: same codes, same statuses.
export function ackError(error: unknown): AckError {
  const { problem } = toProblem(error);
  const { type: _type, instance: _instance, ...rest } = problem;
  return { error: rest };
}
