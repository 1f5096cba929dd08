// Config `redact` patterns: JavaScript regex syntax as users write it, run by RE2JS (a port of
// RE2: linear-time matching, so no pattern can backtrack catastrophically on a hostile value).
// What RE2 cannot run in linear time (backreferences, lookaround) is refused at validate.

import { RE2JS } from 're2js';

/** Translated from JavaScript syntax (`\u00e9`, `(?<name>…)`) to RE2's, then compiled; throws when unusable. */
export function compileRedactPattern(pattern: string): RE2JS {
  return RE2JS.compile(RE2JS.translateRegExp(pattern));
}

/** Why a `redact` pattern cannot be used, or undefined. */
export function redactPatternProblem(pattern: string): string | undefined {
  try {
    compileRedactPattern(pattern);
    return undefined;
  } catch (e) {
    return `${(e as Error).message} (patterns run in a linear-time RE2 engine: no backreferences or lookaround)`;
  }
}
