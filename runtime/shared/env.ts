import { closest } from '../../compiler/diagnostics/suggest.ts';

/**
 * The variables of `names` that `env` lacks, joined for "set ...", followed by what to rename for each
 * that is set under a near name (`DATAVERSE_URI`, `azure_tenant_id`, `PRACTICE_HUB_API_KEY`). Only a
 * name that starts like the missing one (its first word, ignoring case and underscores) is offered, so
 * another tool's `DATABASE_URL` is never taken for `DATAVERSE_URL`. Nor is a name that holds the
 * missing one whole and more (`AZURE_CLIENT_SECRET_ID`, `DATAVERSE_URL_V2`, `azure_tenantid_b2c`): its
 * writer spelt the name right and added to it, so it names something else (a secret's id is not the
 * secret). Empty when nothing is missing.
 */
export function missingVariables(
  names: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { readonly missing: string; readonly renames: string } {
  const missing = names.filter((n) => !env[n]);
  const squash = (s: string) => s.toLowerCase().replace(/_/g, '');
  const set = Object.keys(env).filter((k) => env[k] && !names.includes(k));
  const renames = missing.flatMap((name) => {
    const first = squash(name.split('_')[0]!);
    const whole = squash(name);
    const near = closest(
      name,
      set.filter((k) => squash(k).startsWith(first) && (squash(k) === whole || !squash(k).includes(whole))),
    );
    return near === undefined ? [] : [`; ${near} is set: rename it ${name}`];
  });
  return { missing: missing.join(', '), renames: renames.join('') };
}
