import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import type { DataverseClient } from '../dataverse/index.ts';
import { componentExists, DataverseError, literal, maskValues } from '../dataverse/index.ts';
import { uuidV5 } from '../run/ids.ts';

/** The organisation cannot take the schema as it is (exit code 2, with what to do). */
export class SchemaError extends Error {
  override name = 'SchemaError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** One row of `solutions` or `publishers`, as far as the checks read it. */
type Row = Record<string, unknown>;

async function first(
  client: DataverseClient,
  entitySet: string,
  select: string[],
  filter: string,
): Promise<Row | undefined> {
  for await (const row of client.query<Row>(entitySet, { select, filter })) return row;
  return undefined;
}

/**
 * Makes sure the plan's publisher exists and its solution is there to collect the components `schema
 * apply` creates (MSCRM.SolutionUniqueName, PA`webapi/create-update-column-definitions-using-web-api`):
 * creates the solution under the publisher when the organisation has none of that name. A solution of
 * another publisher is refused before anything is created, since Dataverse refuses every component whose
 * prefix is not its publisher's ("The prefix for a solution component should match the prefix that is
 * specified for the publisher of the solution", InvalidNamePrefix): one error saying why, instead of
 * every table, column and key refused with it; so is a managed solution, which takes no component
 * (PA`webapi/reference/addsolutioncomponent`: "Adds a solution component to an unmanaged solution").
 * Calls `created` when it creates the solution.
 */
export async function ensureSolution(
  client: DataverseClient,
  plan: IrSchemaPlan,
  created: (step: string) => void,
): Promise<void> {
  const { prefix, solution } = plan.publisher;
  if (!prefix) return;
  const publisher = await client.publisherByPrefix(prefix);
  if (!publisher) {
    throw new SchemaError(
      `no publisher with customization prefix '${prefix}' in the organisation`,
      'create the publisher in Dataverse (Settings → Customizations → Publishers), or change target.publisher.prefix in migration.yaml',
    );
  }
  if (!solution) return;
  const found = await first(
    client,
    'solutions',
    ['solutionid', '_publisherid_value', 'ismanaged'],
    `uniquename eq ${literal(solution)}`,
  );
  if (!found) {
    const body = {
      uniquename: solution,
      friendlyname: solution,
      version: '1.0.0.0',
      'publisherid@odata.bind': `/publishers(${publisher.id})`,
    };
    // Under an id derived from its name, as a connection role: an apply running at the same time
    // meets DuplicateRecord instead of making a second solution of the name.
    const id = uuidV5(`flitstack/solution/${solution.toLowerCase()}`);
    try {
      await client.create('solutions', body, { id });
      created(`created solution ${solution}`);
    } catch (error) {
      if (!(error instanceof DataverseError)) throw error;
      if (componentExists(error)) return;
      // Refused (a name Dataverse does not take, such as one longer than the solution table's
      // uniquename column holds): one error for the solution, not the same refusal listed against
      // every table, column and key that would have gone into it.
      if (error.status === 400)
        throw new SchemaError(
          `Dataverse refused to create the solution ${solution} (target.publisher.solution) under publisher ${publisher.uniqueName}, so nothing was created: ${maskValues(error.serverMessage)} (HTTP ${error.status}, code ${error.code || 'none'}; ${error.method} ${error.path})`,
          `set target.publisher.solution in migration.yaml to a name Dataverse takes (letters, digits and underscores, within the length its message gives) or to an unmanaged solution of publisher ${publisher.uniqueName} that exists, then compile; or create the solution in Power Apps (Solutions → New solution, publisher ${publisher.uniqueName})`,
        );
      throw error;
    }
    return;
  }
  if (found.ismanaged === true)
    throw new SchemaError(
      `the solution ${solution} (target.publisher.solution) is managed, and Dataverse adds components to unmanaged solutions only, so nothing was created`,
      `bring the missing components in a new version of the managed solution, or set target.publisher.solution in migration.yaml to an unmanaged solution of publisher ${publisher.uniqueName}, or to a name no solution has (schema apply then creates it), then compile`,
    );
  const owner = String(found._publisherid_value ?? '').toLowerCase();
  if (owner === publisher.id.toLowerCase()) return;
  const other = owner
    ? await first(client, 'publishers', ['uniquename', 'customizationprefix'], `publisherid eq ${owner}`)
    : undefined;
  const theirs = other
    ? `publisher ${String(other.uniquename)} (prefix '${String(other.customizationprefix)}')`
    : 'another publisher';
  throw new SchemaError(
    `the solution ${solution} (target.publisher.solution) belongs to ${theirs}, not to ${publisher.uniqueName}, the publisher of prefix '${prefix}': Dataverse refuses every table, column and key named ${prefix}_… in it, so nothing was created`,
    `set target.publisher.solution in migration.yaml to a solution of publisher ${publisher.uniqueName}, or to a name no solution has (schema apply then creates it under ${publisher.uniqueName}), then compile`,
  );
}
