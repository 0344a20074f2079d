import { readFileSync } from 'node:fs';
import { MINIMUM_NODE_VERSION, nodeVersionProblem } from './node-version.js';

describe('nodeVersionProblem', () => {
  it('accepts the minimum and anything newer', () => {
    expect(nodeVersionProblem('22.22.3', '22.22.3')).toBeNull();
    expect(nodeVersionProblem('v22.23.3', '22.22.3')).toBeNull();
    expect(nodeVersionProblem('24.0.0', '22.22.3')).toBeNull();
  });

  it('names both versions for an older Node.js', () => {
    expect(nodeVersionProblem('20.20.2', '22.22.3')).toMatch(
      /^Rejoinder needs Node\.js 22\.22\.3 or newer; this is Node\.js 20\.20\.2\. Install Node\.js 22 LTS/,
    );
    expect(nodeVersionProblem('v22.12.0', '22.22.3')).toContain('this is Node.js 22.12.0');
    expect(nodeVersionProblem('v18.20.0', '22.22.3')).toContain('npm install --prefix ~/.cache/node22 node@22');
  });

  it('is the version package.json declares', () => {
    const { engines } = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    expect(engines.node).toBe(`>=${MINIMUM_NODE_VERSION}`);
  });
});
