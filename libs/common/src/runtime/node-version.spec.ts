import { readFileSync } from 'node:fs';
import { MINIMUM_NODE_VERSION, nodeVersionProblem } from './node-version.js';

describe('nodeVersionProblem', () => {
  it('accepts the minimum and anything newer', () => {
    expect(nodeVersionProblem('20.19.0', '20.19.0')).toBeNull();
    expect(nodeVersionProblem('v20.20.2', '20.19.0')).toBeNull();
    expect(nodeVersionProblem('22.0.0', '20.19.0')).toBeNull();
  });

  it('names both versions for an older Node.js', () => {
    expect(nodeVersionProblem('20.18.3', '20.19.0')).toBe(
      'Rejoinder needs Node.js 20.19.0 or newer; this is Node.js 20.18.3. Install a current Node.js 20 or 22 LTS.',
    );
    expect(nodeVersionProblem('v18.20.0', '20.19.0')).toContain('this is Node.js 18.20.0');
  });

  it('is the version package.json declares', () => {
    const { engines } = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    expect(engines.node).toBe(`>=${MINIMUM_NODE_VERSION}`);
  });
});
