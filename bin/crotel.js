#!/usr/bin/env node
// The `crotel` command. Installed from npm it runs the compiled JavaScript in dist/ (Node does not
// strip types under node_modules); in a source checkout (src/ next to bin/) it runs the
// TypeScript sources directly, so a stale dist/ can never shadow what you are editing.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
await import(existsSync(source) ? source.href : new URL('../dist/cli.js', import.meta.url).href);
