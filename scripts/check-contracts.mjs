// Validates the committed API documents with the tools integrators use
// (npm run contracts:check): docs/openapi.json with @apidevtools/swagger-parser
// and redocly lint (recommended rules), docs/asyncapi.json with
// @asyncapi/parser. Prints a JSON report; exits 1 on any error.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Parser } from '@asyncapi/parser';

const report = { openapi: { swaggerParser: [], redocly: null }, asyncapi: { errors: [], warnings: [] } };

try {
  await SwaggerParser.validate(JSON.parse(readFileSync('docs/openapi.json', 'utf8')));
} catch (error) {
  const details = error.details ?? [];
  report.openapi.swaggerParser = details.length
    ? details.map((d) => `${d.instancePath ?? ''} ${d.message}`)
    : [String(error.message)];
}

const redocly = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
const { stdout } = await promisify(execFile)(
  process.execPath,
  [redocly, 'lint', 'docs/openapi.json', '--extends=recommended', '--format=json'],
  { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, maxBuffer: 64 << 20 },
).catch((error) => error);
const lint = JSON.parse(stdout);
report.openapi.redocly = {
  errors: lint.totals.errors,
  warnings: lint.totals.warnings,
  problems: lint.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} (${p.location?.[0]?.pointer ?? ''})`),
};

// Severity 0 is an error, 1 a warning; 2 and 3 are hints.
const { diagnostics } = await new Parser().parse(readFileSync('docs/asyncapi.json', 'utf8'));
for (const d of diagnostics) {
  const line = `${d.code}: ${d.message} (${(d.path ?? []).join('.')})`;
  if (d.severity === 0) report.asyncapi.errors.push(line);
  else if (d.severity === 1) report.asyncapi.warnings.push(line);
}

console.log(JSON.stringify(report, null, 2));
const failed =
  report.openapi.swaggerParser.length > 0 || report.openapi.redocly.errors > 0 || report.asyncapi.errors.length > 0;
process.exitCode = failed ? 1 : 0;
