/** The parts of a failure a hint is chosen from. */
export interface HintInput {
  readonly status: number;
  readonly code: string;
  readonly serverMessage: string;
  readonly method: string;
  readonly path: string;
}

type Rule = (e: HintInput) => string | undefined;

const match = (re: RegExp, e: HintInput) => re.exec(e.serverMessage);

/** The codes of a value longer than its column's MaxLength (on create and update, and in bulk). */
export const TOO_LONG_CODES: readonly string[] = ['0x80044331', '0x80073001'];

/**
 * What to do about a failure, one rule per known situation; the codes and messages are those of the
 * reference's §8 table and the Dataverse error list (PA`reference/web-service-error-codes`).
 */
const RULES: readonly Rule[] = [
  (e) =>
    e.status === 413
      ? 'the request is larger than the service accepts: lower target.batch_size in spec/migration.yaml (rows per request) and run again'
      : undefined,
  (e) => {
    const m =
      match(/Could not find a property named '([^']+)' on type 'Microsoft\.Dynamics\.CRM\.(\w+)'/, e) ??
      match(/Invalid property '([^']+)' was found in entity 'Microsoft\.Dynamics\.CRM\.(\w+)'/, e) ??
      match(/The property '([^']+)' does not exist on type 'Microsoft\.Dynamics\.CRM\.(\w+)'/, e);
    if (!m) return undefined;
    return `the column '${m[1]}' does not exist on table '${m[2]}': create it with \`flitstack schema apply\`, or correct the name in the spec (logical names are lower case and case-sensitive)`;
  },
  (e) => {
    const m = match(/An undeclared property '([^']+)' which only has property annotations/, e);
    if (!m) return undefined;
    return `'${m[1]}@odata.bind' is not a navigation property: bind through the single-valued navigation property (customer and polymorphic lookups take the target suffix, e.g. parentcustomerid_account; custom lookups use the lookup's schema name with its case); list them with EntityDefinitions(LogicalName='…')/ManyToOneRelationships`;
  },
  (e) => {
    const m = match(/missing (prv\w+) privilege/i, e);
    if (!m) return undefined;
    return `grant the privilege ${m[1]} through a security role to the user the message names: the application user, or the record's owner (an owner needs read access to the table) (Power Platform admin center → Environments → Settings → Security roles)`;
  },
  (e) =>
    e.code === '0x80040225'
      ? 'the user is disabled or belongs to no business unit: enable the user or add it to a business unit in Dynamics 365, or map these records to another owner in the spec'
      : undefined,
  (e) =>
    e.code === '0x8006088a'
      ? 'entity set names are case-sensitive plural names (e.g. accounts): `flitstack schema verify` compares the tables with the plan; create missing ones with `flitstack schema apply`'
      : undefined,
  (e) =>
    TOO_LONG_CODES.includes(e.code)
      ? "the value is longer than the column's MaxLength: add a truncate step to the spec, or raise max_length in the spec and the column's MaxLength in Dataverse (`flitstack schema verify` shows the difference)"
      : undefined,
  (e) =>
    // InvalidCharactersInField (PA`best-practices/work-with-data/invalidcharactersinfield`).
    e.code === '0x80040278'
      ? 'the text holds characters Dataverse cannot store (control characters such as NUL, unpaired surrogates): add strip_control to the transform of the field that writes this column in the spec, and run again'
      : undefined,
  (e) => {
    if (e.code !== '0x8004431a') return undefined;
    // The same code answers a choice value that is no option (with "Accepted Values") and a number
    // outside a whole number or decimal column's MinValue/MaxValue.
    return /Accepted Values/i.test(e.serverMessage) || !/outside the valid range/i.test(e.serverMessage)
      ? "the choice value is not one of the column's options: fix the value map in the spec or add the option to the column"
      : "the number is outside the column's range (MinValue to MaxValue): give the column the organisation's min and max in the spec, so the number step drops such values before they are sent, or widen the column's range";
  },
  (e) =>
    e.code === '0x80040217' || e.code === '0x80060891'
      ? 'the record does not exist: for a lookup, load the referenced table first (load order) or check the source value'
      : undefined,
  (e) =>
    e.code === '0x80060890'
      ? 'the alternate key is not defined or its index is not Active yet: check keys() for EntityKeyIndexStatus and wait for Active, or create the key with `flitstack schema apply`'
      : undefined,
  (e) => {
    if (e.code !== '0x80060892') return undefined;
    // "Entity Key {key} violated. A record with the same value for {columns} already exists…" (reference §8).
    const columns = match(/same value for (.+?) already exists/, e)?.[1] ?? "the key's columns";
    return `another row already holds these alternate-key values (${columns}), under another id. Either two source records get the same key value: make them differ in PracticeHub, or change the key in the spec; or a row created outside flitstack (by hand, an import, another tool) holds the value: find it in Dataverse by this record's key value (\`flitstack log\` shows it) and delete it, or clear or change its ${columns} (its id cannot be changed, so flitstack cannot take it over); then run the same command again`;
  },
  (e) =>
    e.code === '0x80040237'
      ? 'a record with this primary key already exists: use upsert, or a new id'
      : undefined,
  (e) =>
    e.code === '0x80040800'
      ? 'this table does not support the bulk message (supportsBulk() is false): write it through $batch'
      : undefined,
  (e) =>
    e.code === '0x80048408'
      ? 'the statuscode does not belong to the statecode: fix the state mapping in the spec'
      : undefined,
  (e) =>
    ['0x80072322', '0x80072321', '0x80072326'].includes(e.code)
      ? 'service protection limit: the client gave up after its retries; lower the concurrency or the batch size and run again (the run resumes)'
      : undefined,
  (e) =>
    e.code === '0x80044151'
      ? "the database timed out on the request (SQL timeout expired): Microsoft's advice is a smaller batch, so lower target.batch_size in spec/migration.yaml and run again; the run resumes where it stopped"
      : undefined,
  (e) =>
    e.status === 412 && e.code === ''
      ? 'the record already exists (create-only upsert): use a plain upsert to update it'
      : undefined,
  (e) =>
    e.status === 401
      ? 'the access token was refused: check that the environment has an application user for this app registration (client id) and that DATAVERSE_URL is the environment the token was issued for'
      : undefined,
  (e) => (e.status === 403 ? 'access denied: check the security role of the application user' : undefined),
  (e) =>
    e.status === 0
      ? 'no answer arrived (connection lost or timed out), so whether the request took effect is unknown: run again (upserts are idempotent) or check the record'
      : undefined,
  (e) =>
    e.status >= 500
      ? 'the service failed; a write that is not idempotent was not retried, so check whether it took effect before running again'
      : undefined,
];

/** The first matching hint, or undefined. */
export function hintFor(e: HintInput): string | undefined {
  for (const rule of RULES) {
    const hint = rule(e);
    if (hint) return hint;
  }
  return undefined;
}
