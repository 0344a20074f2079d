import { jest } from '@jest/globals';
import { connectionErrors, markDatabaseStopping, SHUTDOWN_GRACE_MS } from './database-pool.js';

const terminated = () =>
  Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

describe('connection errors', () => {
  it('warn with the error while the process runs, and say one info line per component when it stops', () => {
    const lines: { level: string; message: string; details?: object }[] = [];
    const log = {
      warn: (details: object, message: string) => lines.push({ level: 'warn', message, details }),
      log: (message: string) => lines.push({ level: 'info', message }),
    };
    const database = connectionErrors('Database', log);
    const adapter = connectionErrors('PostgreSQL adapter', log);

    jest.useFakeTimers();
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    database(reset);
    expect(lines).toEqual([{ level: 'warn', message: 'Database: connection lost', details: { err: reset } }]);
    // The server's shutdown, with no stop of this process after it: a warning, a moment later.
    const lost = terminated();
    database(lost);
    expect(lines).toHaveLength(1);
    jest.advanceTimersByTime(SHUTDOWN_GRACE_MS);
    expect(lines[1]).toEqual({ level: 'warn', message: 'Database: connection lost', details: { err: lost } });
    lines.length = 0;

    // The server's shutdown just before this process is told to stop (a Ctrl-C
    // reaches both): part of the stop.
    database(terminated());
    markDatabaseStopping();
    jest.advanceTimersByTime(SHUTDOWN_GRACE_MS);
    jest.useRealTimers();
    for (let i = 0; i < 5; i++) database(terminated());
    adapter(terminated());
    adapter(new Error('Connection terminated unexpectedly'));
    expect(lines).toEqual([
      {
        level: 'info',
        message:
          'Database: connections closed as the process stops (terminating connection due to administrator command)',
      },
      {
        level: 'info',
        message:
          'PostgreSQL adapter: connections closed as the process stops (terminating connection due to administrator command)',
      },
    ]);
  });
});
