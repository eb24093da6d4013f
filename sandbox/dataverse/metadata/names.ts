import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import { isRef } from '../store.ts';

/**
 * Schema names of custom components: a letter first, then letters, digits and underscores
 * (SchemaNameNotStartwithLetter, SchemaNameContainsNonAlphaNumericCharacters), and a publisher's
 * customization prefix before the first underscore (InvalidNamePrefix; reference §5.4).
 */
export const MAX_SCHEMA_NAME = 50;

/**
 * Prefixes allowed for new components: the publisher of the named solution (which must be unmanaged),
 * else any publisher's.
 */
export function allowedPrefixes(ctx: Ctx, solutionUniqueName: string | undefined): string[] {
  const store = ctx.state.store;
  if (solutionUniqueName !== undefined) {
    const solution = [...store.rows('solution')].find((s) => s.uniquename === solutionUniqueName);
    if (!solution) throw Errors.invalidArgument(`The solution '${solutionUniqueName}' does not exist.`);
    // Components go to unmanaged solutions only (PA`webapi/reference/addsolutioncomponent`: "Adds a
    // solution component to an unmanaged solution"); the wording of the refusal is the sandbox's own.
    if (solution.ismanaged === true)
      throw Errors.invalidArgument(
        `The solution '${solutionUniqueName}' is managed: components can be added to an unmanaged solution only.`,
      );
    const ref = solution.publisherid;
    const publisher = isRef(ref) ? store.get('publisher', ref.id) : undefined;
    return publisher ? [String(publisher.customizationprefix).toLowerCase()] : [];
  }
  return [...store.rows('publisher')].map((p) => String(p.customizationprefix).toLowerCase());
}

/** The option value prefix of the publisher that owns `prefix` (option values start at prefix × 10,000). */
export function optionValuePrefix(ctx: Ctx, prefix: string): number {
  const publisher = [...ctx.state.store.rows('publisher')].find(
    (p) => String(p.customizationprefix).toLowerCase() === prefix,
  );
  return typeof publisher?.customizationoptionvalueprefix === 'number'
    ? publisher.customizationoptionvalueprefix
    : 10000;
}

/**
 * Validates a schema name and returns its prefix. The 50-character maximum is not documented (reference
 * §10.5); the sandbox applies the commonly quoted limit as the stricter choice.
 */
export function checkSchemaName(
  ctx: Ctx,
  schemaName: unknown,
  type: string,
  solution: string | undefined,
): string {
  if (typeof schemaName !== 'string' || schemaName === '')
    throw Errors.invalidPrefix(String(schemaName ?? ''), type);
  if (!/^[A-Za-z]/.test(schemaName)) throw Errors.schemaNameStart(schemaName, type);
  if (!/^[A-Za-z0-9_]+$/.test(schemaName)) throw Errors.schemaNameCharacters(schemaName, type);
  if (schemaName.length > MAX_SCHEMA_NAME) throw Errors.schemaNameLength(schemaName, type, MAX_SCHEMA_NAME);
  const underscore = schemaName.indexOf('_');
  const prefix = underscore > 0 ? schemaName.slice(0, underscore).toLowerCase() : '';
  if (
    prefix === '' ||
    underscore === schemaName.length - 1 ||
    !allowedPrefixes(ctx, solution).includes(prefix)
  ) {
    throw Errors.invalidPrefix(schemaName, type);
  }
  return prefix;
}

/**
 * The entity set name Dataverse generates for a new table: by default the LogicalCollectionName, the
 * plural of the logical name (EntityMetadata.EntitySetName docs); English plural rules.
 */
export function pluralize(name: string): string {
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}

/** The first localized label of a Label body, if any. */
export function labelText(value: unknown): string | undefined {
  const labels = (value as { LocalizedLabels?: { Label?: unknown }[] } | undefined)?.LocalizedLabels;
  const text = Array.isArray(labels) ? labels[0]?.Label : undefined;
  return typeof text === 'string' ? text : undefined;
}
