/**
 * The usual PracticeHub → Dynamics 365 correspondences. Resource level from the seed document's object
 * mapping (patients → contact, clinics → account, appointments → appointment activities, prescriptions
 * and clinical notes → notes, staff without a user → contact, referral organisations → account, policy
 * documents → notes with the file); field level from the column lists of reference/dataverse.md §1
 * (account, contact, appointment, annotation, systemuser) and the created-date rule of §2.
 */

/** Where a resource usually lands. */
export const RESOURCE_TABLES: Readonly<Record<string, string>> = {
  patients: 'contact',
  clinics: 'account',
  appointments: 'appointment',
  clinical_notes: 'annotation',
  prescriptions: 'annotation',
  practitioners: 'contact',
  referral_sources: 'account',
  policy_documents: 'annotation',
};

/** A field that usually lands in a column; `tables` limits it to those tables (default: any that has it). */
export interface FieldCorrespondence {
  readonly fields: readonly string[];
  readonly column: string;
  readonly tables?: readonly string[];
}

/** Field-level correspondences, most specific first. */
export const FIELD_COLUMNS: readonly FieldCorrespondence[] = [
  { fields: ['first_name', 'given_name', 'forename'], column: 'firstname' },
  { fields: ['last_name', 'family_name', 'surname'], column: 'lastname' },
  { fields: ['middle_name'], column: 'middlename' },
  { fields: ['preferred_name', 'nickname'], column: 'nickname', tables: ['contact'] },
  { fields: ['title', 'salutation'], column: 'salutation', tables: ['contact'] },
  { fields: ['email', 'email_address'], column: 'internalemailaddress', tables: ['systemuser'] },
  { fields: ['email', 'email_address', 'email_1'], column: 'emailaddress1' },
  { fields: ['email_2', 'secondary_email'], column: 'emailaddress2' },
  { fields: ['phone_mobile', 'mobile', 'mobile_phone', 'cell'], column: 'mobilephone' },
  { fields: ['phone_home', 'home_phone'], column: 'telephone2', tables: ['contact'] },
  { fields: ['phone', 'phone_work', 'work_phone', 'telephone'], column: 'telephone1' },
  { fields: ['fax'], column: 'fax' },
  { fields: ['website', 'url', 'web'], column: 'websiteurl' },
  { fields: ['address_line_1', 'address1', 'street'], column: 'address1_line1' },
  { fields: ['address_line_2', 'address2'], column: 'address1_line2' },
  { fields: ['address_line_3', 'address3'], column: 'address1_line3' },
  { fields: ['city', 'town'], column: 'address1_city' },
  { fields: ['state', 'region', 'province'], column: 'address1_stateorprovince' },
  { fields: ['county'], column: 'address1_county' },
  { fields: ['postcode', 'zip', 'zip_code', 'postal_code'], column: 'address1_postalcode' },
  { fields: ['country'], column: 'address1_country' },
  { fields: ['date_of_birth', 'dob', 'birth_date', 'birthday'], column: 'birthdate', tables: ['contact'] },
  { fields: ['sex', 'gender'], column: 'gendercode', tables: ['contact'] },
  { fields: ['occupation', 'job_title'], column: 'jobtitle' },
  { fields: ['name', 'organisation_name', 'organization_name'], column: 'name', tables: ['account'] },
  { fields: ['account_number'], column: 'accountnumber', tables: ['account'] },
  { fields: ['notes', 'description', 'comments'], column: 'description' },
  { fields: ['starts_at', 'start', 'start_time'], column: 'scheduledstart', tables: ['appointment'] },
  { fields: ['ends_at', 'end', 'end_time'], column: 'scheduledend', tables: ['appointment'] },
  { fields: ['location'], column: 'location', tables: ['appointment'] },
  {
    fields: ['title', 'subject', 'medication_name'],
    column: 'subject',
    tables: ['annotation', 'appointment'],
  },
  { fields: ['body', 'text', 'content'], column: 'notetext', tables: ['annotation'] },
  // Created dates go to overriddencreatedon on create (reference §2, PA`run-data-import`).
  { fields: ['created_at', 'created_on', 'created'], column: 'overriddencreatedon' },
];

/**
 * Custom columns the shipped spec declares the same way on every table (so a proposal reuses the
 * declaration instead of inventing a second one): the source's modified date, which Dataverse cannot
 * import into modifiedon (reference §2).
 */
export const CUSTOM_COLUMNS: readonly {
  readonly fields: readonly string[];
  readonly name: string;
  readonly declaration: Readonly<Record<string, unknown>>;
}[] = [
  {
    fields: ['updated_at', 'modified_at'],
    name: 'sourcemodifiedon',
    declaration: { type: 'datetime', label: 'PracticeHub modified on', behavior: 'user_local' },
  },
];

/** Every `table.column` the correspondences name (what `audit --target` adds to the snapshot when it exists). */
export function correspondenceColumns(tables: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const table of tables)
    for (const c of FIELD_COLUMNS) if (!c.tables || c.tables.includes(table)) out.add(`${table}.${c.column}`);
  return out;
}

/** Source fields propose never maps: record ids are keys, deletion marks are the runtime's. */
export const NEVER_MAPPED = new Set(['id', 'deleted_at']);

/**
 * Timestamps of the record itself. A mapping in update mode changes rows another mapping creates (a
 * patient's contact for an insurance policy): the policy's own timestamps do not describe that row.
 */
export const RECORD_TIMESTAMPS = new Set([
  'created_at',
  'updated_at',
  'created_on',
  'modified_at',
  'updated_on',
]);
