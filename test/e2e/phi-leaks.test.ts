import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Sandboxes } from '../../sandbox/index.ts';
import type { PhRecord, ResourceName } from '../../sandbox/practicehub/index.ts';
import { RESOURCE_NAMES } from '../../sandbox/practicehub/index.ts';
import { parseFaults } from '../../sandbox/shared/faults.ts';
import { startGateway } from '../runtime/dataverse/helpers.ts';
import { flitstackWith, KEYS_ACTIVE_AT_ONCE, sandboxes } from '../support/migration.ts';
import { copyOfShippedSpec, ROOT, tempDir } from '../support/tmp.ts';

/*
 * Every command a user runs (audit, sample, run, delta, reconcile, run --rewrite, rollback, runs, log),
 * against sandboxes with faults on both services and an organisation whose plug-ins refuse some
 * patients, appointments and notes with messages quoting their values, must print no patient value and
 * no secret, and write none into a file that is not private.
 *
 * Which values count as patient data: the values of the fields the source model flags `phi`
 * (spec/source/practicehub.yaml, nested custom properties included) in the records the PracticeHub
 * sandbox holds at any time of the test (the mutations' new values too), and the values a tampered
 * Dataverse row holds. A value is looked for only when it could only have come from patient data:
 * - at least 4 characters once trimmed (shorter ones, "Dr", "F", "12", are everywhere in any text);
 * - not a short or decimal number (a quantity, an amount or a pain score reads as a count, a time or
 *   a size); a run of 7 digits or more (a policy number, a phone number) is looked for;
 * - not a label of the model (an enumeration value such as "none", "female", "active"): the help
 *   and reports name labels for what they are;
 * - not a word of a value of a field the model does not flag (a clinic's "Bristol" in its name or
 *   city, a staff member's first name, an appointment type): such a value is printed legitimately.
 * A value is found as a whole token (not inside a longer word or number), in any case, as it is or as
 * it would stand in a URL or a JSON string.
 *
 * Which files count as logs or reports: every file the commands write outside the journal (with its
 * WAL), the sample's report directory and the archive, which the README names as places of patient data
 * (the archive holds the documents and training logs the migration moves, in place of Dataverse) —
 * audit.md/json, reconcile.md/json, `log --out` without --with-pre-images (its help says it holds no
 * column values) — and the caches the commands keep under the project's own .flitstack/cache (the
 * rest of the project's .flitstack/ is what other tests, running meanwhile, write to default paths,
 * which this test gives its own).
 */

const PRACTICEHUB_FAULTS = '429=0.05,5xx=0.03,reset=0.02,seed=5,retry-after=0';
const DATAVERSE_FAULTS = '429=0.05,5xx=0.03,seed=6,retry-after=0';
/** Patients, appointments and notes of each the plug-ins refuse from the first run on. */
const REFUSED = 3;
const TAMPERED_LASTNAME = 'Quillingford';

type Model = Record<string, { fields: Record<string, Field> }>;
interface Field {
  type: string;
  phi?: boolean;
  values?: string[];
  fields?: Record<string, Field>;
  items?: Field;
}

/** Paths of the `phi` fields of each resource, and every enumeration value of the model. */
function modelFacts(): { phi: Map<string, string[][]>; labels: Set<string> } {
  const model = parse(readFileSync(join(ROOT, 'spec/source/practicehub.yaml'), 'utf8')).resources as Model;
  const phi = new Map<string, string[][]>();
  const labels = new Set<string>();
  const walk = (fields: Record<string, Field>, path: string[], out: string[][]) => {
    for (const [name, f] of Object.entries(fields)) {
      for (const v of [...(f.values ?? []), ...(f.items?.values ?? [])]) labels.add(v.toLowerCase());
      if (f.phi) out.push([...path, name]);
      if (f.fields) walk(f.fields, [...path, name], out);
      if (f.items?.fields) walk(f.items.fields, [...path, name], out);
    }
  };
  for (const [resource, r] of Object.entries(model)) {
    const out: string[][] = [];
    walk(r.fields, [], out);
    phi.set(resource, out);
  }
  return { phi, labels };
}

/** The leaves of a value: strings and numbers (arrays and objects walked). */
function leaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' || typeof value === 'number') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) leaves(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) leaves(v, out);
  return out;
}

function at(record: PhRecord, path: string[]): unknown {
  let v: unknown = record;
  for (const p of path) v = Array.isArray(v) ? v.map((x) => x?.[p]) : (v as Record<string, unknown>)?.[p];
  return v;
}

/** Patient values and the other values of the sandbox's records, as they are now. */
function collect(
  sb: Sandboxes,
  facts: ReturnType<typeof modelFacts>,
  phi: Map<string, string>,
  other: Set<string>,
) {
  for (const resource of RESOURCE_NAMES) {
    const paths = facts.phi.get(resource) ?? [];
    const flagged = new Set(paths.map((p) => p.join('.')));
    for (const record of sb.practicehub.records(resource as ResourceName)) {
      for (const p of paths)
        for (const v of leaves(at(record, p)))
          phi.set(v.trim(), `${resource}.${p.join('.')} of ${record.id}`);
      const rest = (value: unknown, path: string[]) => {
        if (flagged.has(path.join('.'))) return;
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          for (const [k, v] of Object.entries(value)) rest(v, [...path, k]);
        } else if (Array.isArray(value)) for (const v of value) rest(v, path);
        else for (const v of leaves(value)) other.add(v.toLowerCase());
      };
      rest(record, []);
    }
  }
}

/** Words of the values the model does not flag (and timestamps' dates), lower case. */
function wordsOf(values: Set<string>): Set<string> {
  const words = new Set<string>();
  for (const v of values) {
    words.add(v);
    for (const w of v.split(/[^\p{L}\p{N}@.'-]+/u)) if (w) words.add(w);
    const date = /^\d{4}-\d{2}-\d{2}/.exec(v);
    if (date) words.add(date[0]);
  }
  return words;
}

/** The patient values worth looking for (see the comment at the top). */
function forbidden(phi: Map<string, string>, other: Set<string>, labels: Set<string>): string[] {
  const words = wordsOf(other);
  return [...phi.keys()].filter(
    (v) =>
      v.length >= 4 &&
      !/^[-+]?(?:\d{1,6}|\d+\.\d+)$/.test(v) &&
      !labels.has(v.toLowerCase()) &&
      !words.has(v.toLowerCase()) &&
      !v
        .toLowerCase()
        .split(/\s+/)
        .every((w) => words.has(w) || labels.has(w)),
  );
}

/** Whether the `length` characters at `i` of `text` are not part of a longer word or number. */
function wholeToken(text: string, i: number, length: number): boolean {
  return !/[\p{L}\p{N}]/u.test(text[i - 1] ?? ' ') && !/[\p{L}\p{N}]/u.test(text[i + length] ?? ' ');
}

/**
 * Where `text` holds one of `values` as a whole token: each value found, with some context in which the
 * value gives way to <PHI> (a failure names where the value came from, never the value).
 */
function findIn(text: string, values: readonly string[]): { value: string; context: string }[] {
  const lower = text.toLowerCase();
  const found: { value: string; context: string }[] = [];
  for (const value of values) {
    for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])) {
      const needle = form.toLowerCase();
      for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, i + 1)) {
        if (!wholeToken(lower, i, needle.length)) continue;
        const around = `${text.slice(Math.max(0, i - 60), i)}\u0000${text.slice(i + needle.length, i + needle.length + 60)}`;
        found.push({ value, context: masked(around, values).replace('\u0000', '<PHI>') });
        break;
      }
    }
  }
  return found;
}

/** `text` with each of `values` in it (as whole tokens, the longest first) replaced by <PHI>. */
function masked(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of [...values].sort((x, y) => y.length - x.length)) {
    const needle = v.toLowerCase();
    for (let i = out.toLowerCase().indexOf(needle); i !== -1; i = out.toLowerCase().indexOf(needle, i + 1)) {
      if (wholeToken(out.toLowerCase(), i, needle.length))
        out = `${out.slice(0, i)}<PHI>${out.slice(i + v.length)}`;
    }
  }
  return out;
}

/** Files under `dir`, recursively, with their paths. */
function filesUnder(dir: string): string[] {
  let out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out = out.concat(filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** The files of the project's .flitstack/cache changed since `since` (ms). */
function cachedSince(since: number): string[] {
  const dir = join(ROOT, '.flitstack', 'cache');
  try {
    return filesUnder(dir).filter((f) => statSync(f).mtimeMs >= since);
  } catch {
    return [];
  }
}

describe('patient values and secrets, through every command a user runs', () => {
  let sb: Sandboxes;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  const tokens = new Set<string>();
  /** Keys of the rows (and note texts) the plug-ins below refuse; the test adds some on the way. */
  const refused = new Set<string>();

  beforeAll(async () => {
    // The clinic group's own rules (synchronous plug-ins), worded with the record's values as such
    // rules often are: on patients (the contact batch), appointments and notes (annotation).
    sb = await sandboxes({
      scale: 0.03,
      seed: 17,
      faults: { practicehub: parseFaults(PRACTICEHUB_FAULTS), dataverse: parseFaults(DATAVERSE_FAULTS) },
      dataverse: {
        ...KEYS_ACTIVE_AT_ONCE,
        plugins: [
          {
            table: 'contact',
            refuse: (row) =>
              refused.has(String(row.fs_practicehubid))
                ? `Patient ${row.firstname} ${row.lastname} (born ${row.birthdate}, ${row.emailaddress1}) is already registered at another clinic.`
                : undefined,
          },
          {
            table: 'appointment',
            refuse: (row) =>
              refused.has(String(row.fs_practicehubid))
                ? `The booking note "${row.description}" names a patient who asked not to be contacted.`
                : undefined,
          },
          {
            table: 'annotation',
            refuse: (row) =>
              refused.has(String(row.notetext))
                ? `Note ${row.subject} was refused: ${row.notetext}`
                : undefined,
          },
        ],
      },
    });
    const records = (resource: ResourceName, field: string) =>
      [...sb.practicehub.records(resource)]
        .filter((r) => typeof r[field] === 'string' && (r[field] as string).length >= 8)
        .slice(5, 5 + REFUSED);
    for (const p of records('patients', 'email')) refused.add(`patient-${p.id}`);
    for (const a of records('appointments', 'notes')) refused.add(`appointment-${a.id}`);
    for (const n of records('clinical_notes', 'body')) refused.add(n.body as string);
    // Between flitstack and the organisation, to learn the access tokens it is given.
    gateway = await startGateway(sb.dataverse.url, (_req, answer) => {
      const token = /"access_token"\s*:\s*"([^"]+)"/.exec(answer.text)?.[1];
      if (token) tokens.add(token);
      return answer;
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await sb?.close();
  });

  it('prints none on stdout or stderr and writes none into logs and reports', async () => {
    const started = Date.now();
    const facts = modelFacts();
    const phi = new Map<string, string>();
    const other = new Set<string>();
    collect(sb, facts, phi, other);

    const dir = tempDir('flitstack-phi-');
    const journal = join(dir, 'journal.db');
    const archive = join(dir, 'archive');
    const env = { DATAVERSE_URL: gateway.url, AZURE_AUTHORITY_HOST: gateway.url };
    const printed: { command: string; text: string }[] = [];
    const cli = async (...args: string[]) => {
      const r = await flitstackWith(sb, env, ...args);
      printed.push({ command: args.join(' '), text: `${r.out}\n${r.err}` });
      return r;
    };
    const reading = ['--journal', journal, '--rate', '1000'];
    const loading = [...reading, '--archive-dir', archive];
    // What a command said, for a failure message: with the patient values known so far masked.
    const said = (r: { err: string }) =>
      masked(
        r.err,
        [...phi.keys()].filter((v) => v.length >= 4),
      );

    expect((await cli('schema', 'apply')).code).toBe(0);
    const audit = await cli('audit', '--out', join(dir, 'audit'), '--rate', '1000');
    expect(audit.code, said(audit)).toBeLessThan(2);
    // --target rewrites the target snapshot of the spec it is given: a copy's.
    const copy = copyOfShippedSpec();
    const target = await cli(
      'audit',
      '--spec',
      join(copy, 'spec'),
      '--target',
      '--out',
      join(dir, 'audit-target'),
      '--rate',
      '1000',
      '--format',
      'json',
    );
    expect(target.code, said(target)).toBeLessThan(2);
    const sample = await cli('sample', ...loading, '--size', '40', '--out', join(dir, 'sample'));
    expect(sample.code, said(sample)).toBeLessThan(2);
    const run = await cli('run', ...loading);
    expect(run.code, said(run)).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const updated = sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      count: 4,
      patch: { last_name: 'Wetherspoonbridge', notes: 'Allergic to penicillin since childhood' },
    });
    sb.practicehub.mutate({ resource: 'patients', action: 'create', count: 2 });
    // Appointments with a booking note, which the plug-in quotes.
    const noted = [...sb.practicehub.records('appointments')]
      .filter((a) => typeof a.notes === 'string' && a.notes.length >= 8)
      .slice(-4)
      .map((a) => a.id as string);
    const deleted = sb.practicehub.mutate({ resource: 'appointments', action: 'delete', ids: noted });
    collect(sb, facts, phi, other);
    // The delta closes the deleted appointments; the plug-in refuses two of them, quoting their notes.
    for (const id of deleted.slice(0, 2)) refused.add(`appointment-${id}`);
    // A changed policy updates its patient's contact with the policy's columns alone; the plug-in
    // refuses it quoting the patient's name, birth date and email, none of which the update sent.
    const policy = [...sb.practicehub.records('insurance_policies')].filter((p) => p.is_primary).at(-1)!;
    sb.practicehub.mutate({
      resource: 'insurance_policies',
      action: 'update',
      ids: [policy.id as string],
      patch: { group_number: 'GRP-778812' },
    });
    refused.add(`patient-${policy.patient_id}`);
    const delta = await cli('delta', ...loading);
    expect(delta.code, said(delta)).toBeLessThan(2);

    const contact = sb.dataverse
      .snapshot(['contact'])
      .tables.contact!.find((r) => String(r.fs_practicehubid ?? '').startsWith('patient-'));
    sb.dataverse.tamper({
      table: 'contact',
      id: contact!.contactid as string,
      set: { lastname: TAMPERED_LASTNAME },
    });
    phi.set(TAMPERED_LASTNAME, 'the tampered lastname');
    const reconcile = await cli('reconcile', ...reading, '--out', join(dir, 'reconcile'));
    expect(reconcile.code, said(reconcile)).toBe(1);
    // Writes the tampered row again, which the plug-in refuses now, quoting the values put back.
    refused.add(String(contact!.fs_practicehubid));
    const reconciled = join(dir, 'reconcile/reconcile.json');
    const rewrite = await cli('run', ...loading, '--rewrite', '--reconciled', reconciled);
    expect(rewrite.code, said(rewrite)).toBeLessThan(2);

    expect((await cli('rollback', '--run', '4', '--journal', journal)).code).toBe(0);
    // Rolling the delta back puts the patients' values back and reopens the appointments, which the
    // plug-ins refuse now: their messages quote values the requests do not carry (a booking note).
    for (const id of updated) refused.add(`patient-${id}`);
    for (const id of deleted.slice(2)) refused.add(`appointment-${id}`);
    expect((await cli('rollback', '--run', '3', '--journal', journal)).code).toBe(1);

    const after = await cli('reconcile', ...reading, '--out', join(dir, 'reconcile-2'), '--format', 'json');
    expect(after.code, said(after)).toBeLessThan(2);
    const runs = await cli('runs', '--journal', journal, '--format', 'json');
    const ids = (JSON.parse(runs.out) as { runs: { id: number }[] }).runs.map((r) => r.id);
    // Run 1 is the sample, 2 the run, 3 the delta, 4 the rewrite, 5 and 6 the rollbacks.
    expect(ids.length).toBe(6);
    const run2 = 2;
    for (const id of ids) {
      expect((await cli('log', '--run', String(id), '--journal', journal)).code).toBe(0);
      expect((await cli('log', '--run', String(id), '--journal', journal, '--format', 'json')).code).toBe(0);
      await cli('runs', '--run', String(id), '--journal', journal);
    }
    await cli('runs', '--journal', journal);
    expect(
      (await cli('log', '--run', String(run2), '--journal', journal, '--out', join(dir, 'run.csv'))).code,
    ).toBe(0);
    // The refusals reached the user, with the business rules' wording.
    for (const wording of [
      'already registered at another clinic',
      'asked not to be contacted',
      'was refused: ',
    ]) {
      expect(
        printed.some((p) => p.text.includes(wording)),
        wording,
      ).toBe(true);
    }

    const values = forbidden(phi, other, facts.labels);
    expect(values.length).toBeGreaterThan(200);
    const secrets = [sb.env.AZURE_CLIENT_SECRET!, sb.env.PRACTICEHUB_API_KEY!, ...tokens];
    expect(tokens.size).toBeGreaterThan(0);

    const leaks: string[] = [];
    for (const p of printed) {
      for (const f of findIn(p.text, values))
        leaks.push(`flitstack ${p.command}: ${phi.get(f.value)} in …${f.context}…`);
      for (const s of secrets) if (p.text.includes(s)) leaks.push(`flitstack ${p.command}: a secret`);
    }
    const isPrivate = (f: string) =>
      f.startsWith(journal) || f.startsWith(join(dir, 'sample')) || f.startsWith(archive);
    const written = [
      ...filesUnder(dir).filter((f) => !isPrivate(f)),
      ...cachedSince(started),
      join(copy, 'spec/target/dataverse.yaml'),
    ];
    expect(written.map((f) => relative(dir, f))).toEqual(
      expect.arrayContaining([
        'audit/audit.md',
        'audit/audit.json',
        'reconcile/reconcile.md',
        'reconcile/reconcile.json',
        'run.csv',
      ]),
    );
    for (const file of written) {
      const text = readFileSync(file, 'utf8');
      for (const f of findIn(text, values)) leaks.push(`${file}: ${phi.get(f.value)} in …${f.context}…`);
      for (const s of secrets) if (text.includes(s)) leaks.push(`${file}: a secret`);
    }
    expect(leaks).toEqual([]);
  }, 120_000);
});
