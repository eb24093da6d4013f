import { join } from 'node:path';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.ts';
import { formatJson, formatText } from '../../compiler/diagnostics/format.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import type { CliIo } from '../io.ts';
import { readSpecDir, sourceLookup } from '../spec-files.ts';
import { diskCachedParser } from '../yaml-cache.ts';

/** Validates the spec and prints every diagnostic; returns the exit code. */
export function validate(options: { spec: string; format: 'text' | 'json' }, io: CliIo): number {
  const input = readSpecDir(options.spec, io.cwd);
  const parseFile = diskCachedParser(join(io.cwd, '.flitstack', 'cache', 'yaml'));
  const { diagnostics } = validateSpec(input, createSchemaValidators(), { parseFile });
  if (options.format === 'json') io.out(formatJson(diagnostics));
  else io.out(formatText(diagnostics, sourceLookup(input)));
  return hasErrors(diagnostics) ? 1 : 0;
}
