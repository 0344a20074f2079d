import { connectionErrors, markDatabaseStopping } from './database-pool.js';

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

    const lost = terminated();
    database(lost);
    expect(lines).toEqual([{ level: 'warn', message: 'Database: connection lost', details: { err: lost } }]);

    markDatabaseStopping();
    for (let i = 0; i < 5; i++) database(terminated());
    adapter(terminated());
    adapter(new Error('Connection terminated unexpectedly'));
    expect(lines.slice(1)).toEqual([
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
