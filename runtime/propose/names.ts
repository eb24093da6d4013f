/** Words that mean the same in source field names and Dataverse column names. */
const SYNONYMS: Readonly<Record<string, string>> = {
  mail: 'email',
  emailaddress: 'email',
  telephone: 'phone',
  tel: 'phone',
  cell: 'mobile',
  mobilephone: 'mobile',
  zip: 'postcode',
  zipcode: 'postcode',
  postalcode: 'postcode',
  postcode: 'postcode',
  surname: 'lastname',
  familyname: 'lastname',
  givenname: 'firstname',
  forename: 'firstname',
  dob: 'birthdate',
  dateofbirth: 'birthdate',
  birthday: 'birthdate',
  url: 'website',
  websiteurl: 'website',
  web: 'website',
  remarks: 'description',
  notes: 'description',
  note: 'description',
  comments: 'description',
  stateorprovince: 'state',
  province: 'state',
  region: 'state',
  town: 'city',
  occupation: 'jobtitle',
  role: 'jobtitle',
  sex: 'gender',
  gendercode: 'gender',
  start: 'scheduledstart',
  startsat: 'scheduledstart',
  end: 'scheduledend',
  endsat: 'scheduledend',
};

/** Lower case letters and digits only: `Address_Line_1` → `addressline1`. */
export function compact(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A name with the publisher prefix removed and synonyms applied, for comparing source and column names. */
export function canonical(name: string, prefix?: string): string {
  const bare = prefix && name.startsWith(`${prefix}_`) ? name.slice(prefix.length + 1) : name;
  const c = compact(bare);
  return SYNONYMS[c] ?? c;
}

function bigrams(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length - 1; i += 1) out.push(text.slice(i, i + 2));
  return out;
}

/** Dice coefficient of character bigrams, 0 to 1 (1: the same text). */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const x = bigrams(a);
  const y = bigrams(b);
  if (x.length === 0 || y.length === 0) return 0;
  const pool = new Map<string, number>();
  for (const g of y) pool.set(g, (pool.get(g) ?? 0) + 1);
  let shared = 0;
  for (const g of x) {
    const left = pool.get(g) ?? 0;
    if (left > 0) {
      shared += 1;
      pool.set(g, left - 1);
    }
  }
  return (2 * shared) / (x.length + y.length);
}

/** How alike a source field name and a column name are: exact, same after synonyms, or by bigrams. */
export function nameMatch(
  field: string,
  column: string,
  prefix?: string,
): { readonly kind: 'same' | 'synonym' | 'similar'; readonly score: number } {
  const a = compact(field);
  const b = compact(prefix && column.startsWith(`${prefix}_`) ? column.slice(prefix.length + 1) : column);
  if (a === b) return { kind: 'same', score: 1 };
  if (canonical(field) === canonical(column, prefix)) return { kind: 'synonym', score: 0.9 };
  return { kind: 'similar', score: similarity(canonical(field), canonical(column, prefix)) };
}

/** English singular of a resource name: `clinical_notes` → `clinical_note`, `policies` → `policy`. */
export function singular(name: string): string {
  if (/ies$/.test(name)) return `${name.slice(0, -3)}y`;
  if (/(ss|us)$/.test(name)) return name;
  if (/(x|ch|sh|ses)$/.test(name)) return name.replace(/es$/, '');
  return name.replace(/s$/, '');
}

/** A mapping or value map name from a resource or field name: `clinical_notes` → `clinical-note`. */
export function kebab(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^(\d)/, 'x$1');
}

/** A label from a field name: `time_zone` → `Time zone`, `custom_properties.pain_score` → `Pain score`. */
export function label(path: string): string {
  const leaf = path.split('.').at(-1) ?? path;
  const words = leaf.replace(/_+/g, ' ').trim();
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return text.length > 100 ? text.slice(0, 100) : text || 'Value';
}

/** An option key from a source value (`Bank transfer` → `bank_transfer`), or undefined when none fits. */
export function optionKey(value: string): string | undefined {
  const key = value
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[a-z0-9][a-z0-9_]*$/.test(key) ? key : undefined;
}
