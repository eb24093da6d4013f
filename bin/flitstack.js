#!/usr/bin/env node
// Entry point installed as `flitstack`: registers the TypeScript loader, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli/main.ts');
process.exitCode = await run(process.argv);
