// The Dockerfile passes a Dockerfile linter (dockerfile-utils, the rules behind VS Code's Docker
// support) with every optional rule raised to an error. No engine runs here to build the image.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { validate, ValidationSeverity } from 'dockerfile-utils';

const STRICT = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

test('the linter is live: a bad Dockerfile is reported', () => {
  const problems = validate("from node\nMAINTAINER me\nWORKDIR app\nCMD ['a']\nCMD b\nUSER\n", STRICT);
  assert.ok(problems.length >= 4, JSON.stringify(problems.map((p) => p.message)));
});

test('Dockerfile: no lint findings with every rule as an error', () => {
  const text = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
  assert.deepEqual(validate(text, STRICT).map((p) => `line ${p.range.start.line + 1}: ${p.message}`), []);
});
