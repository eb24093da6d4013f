import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { readSchema, type SchemaValidators } from './schemas.ts';

// ajv-formats is CommonJS; its default export arrives as a namespace under some loaders.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** Ajv as the validator uses it: every error (allErrors), strict schemas, and the failing schema on each error. */
export function createAjv(options: { readonly standalone?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    verbose: true,
    ...(options.standalone ? { code: { source: true, esm: true } } : {}),
  });
  addFormats(ajv);
  return ajv;
}

/**
 * Compiles every schema (tens of milliseconds each). The install step replaces this module with the
 * same validators compiled ahead of time (see scripts/build.mjs); both come from schemas/.
 */
export function createSchemaValidators(): SchemaValidators {
  const ajv = createAjv();
  return {
    migration: ajv.compile(readSchema('migration')),
    object: ajv.compile(readSchema('object')),
    valuemap: ajv.compile(readSchema('valuemap')),
    'source-model': ajv.compile(readSchema('source-model')),
    'target-metadata': ajv.compile(readSchema('target-metadata')),
  };
}
