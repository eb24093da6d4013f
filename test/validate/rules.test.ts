import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSpecDir } from '../../cli/spec-files.ts';
import { optionValue } from '../../compiler/model/options.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators, type SchemaValidators } from '../../compiler/validate/schemas.ts';
import { caseSpec } from '../support/cases.ts';
import { ROOT } from '../support/tmp.ts';

let validators: SchemaValidators;
beforeAll(() => {
  validators = createSchemaValidators();
});

/** Diagnostics of the golden base spec with one file's text edited, as `code line:column message`. */
function findings(file: string, edit: (text: string) => string, code: string): string[] {
  const input = caseSpec('_base');
  const text = input.files.get(file);
  if (text === undefined) throw new Error(`no ${file} in the base spec`);
  const edited = edit(text);
  expect(edited, 'the edit changed the file').not.toBe(text);
  const files = new Map(input.files).set(file, edited);
  return validateSpec({ ...input, files }, validators)
    .diagnostics.filter((d) => d.code === code)
    .map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`);
}

describe('FS141 time zones', () => {
  it.each(['UTC', 'Etc/GMT+5', 'America/Argentina/Buenos_Aires', 'Europe/Kiev', 'Australia/Sydney'])(
    'accepts %s',
    (zone) => {
      expect(
        findings(
          'migration.yaml',
          (t) => t.replace('time_zone: Europe/London', `time_zone: ${zone}`),
          'FS141',
        ),
      ).toEqual([]);
    },
  );

  it.each([
    ['Europe/Lodnon', "unknown time zone 'Europe/Lodnon'. Did you mean 'Europe/London'?"],
    ['America/New_Yrok', "unknown time zone 'America/New_Yrok'. Did you mean 'America/New_York'?"],
    ['Utc/Mars', "unknown time zone 'Utc/Mars'."],
  ])('refuses %s', (zone, message) => {
    expect(
      findings('migration.yaml', (t) => t.replace('time_zone: Europe/London', `time_zone: ${zone}`), 'FS141'),
    ).toEqual([`FS141 9:14 ${message}`]);
  });
});

describe('FS142 value-map keys that fold to one key', () => {
  const gender = (entries: string, extra = '') =>
    `version: 1\nkind: choice\n${extra}entries:\n${entries
      .split('; ')
      .map((e) => `  ${e}\n`)
      .join('')}`;

  it('allows keys that differ in case when the map is case-sensitive', () => {
    const text = gender('female: Female; male: Male; other: ~; Female: Male', 'case_sensitive: true\n');
    expect(findings('valuemaps/gender.yaml', () => text, 'FS142')).toEqual([]);
  });

  it('points at the later key, also when a key holds a slash', () => {
    const text = gender('female: Female; male: Male; other: ~; n/a: ~; N/A: Female');
    expect(findings('valuemaps/gender.yaml', () => text, 'FS142')).toEqual([
      "FS142 8:3 value map key 'N/A' is the same key as 'n/a': the map ignores case and surrounding spaces, so only one of the two entries can apply",
    ]);
  });

  it('places a finding on an entry whose key holds a slash (FS124 on n/a)', () => {
    const text = gender('female: Female; male: Male; other: ~; n/a: Unknown');
    expect(findings('valuemaps/gender.yaml', () => text, 'FS124')).toEqual([
      "FS124 7:8 'Unknown' is not an option of contact.gendercode",
    ]);
  });
});

describe('FS143 lookups by ids of another resource', () => {
  const note = (objects: string) => `version: 1
source: appointments
target: annotation
key: { source: id, prefix: note-, derive_id: true }
fields:
  - { to: subject, from: title, transform: [trim, { default: Note }, truncate] }
  - to: objectid
    from: [id, patient_id]
    lookup: { object: [${objects}], required: true }
`;
  const all = (file: string, text: string) => {
    const input = caseSpec('_base');
    const files = new Map(input.files).set(file, text);
    return validateSpec({ ...input, files }, validators).diagnostics.map(
      (d) => `${d.code} ${d.line}:${d.column} ${d.message}`,
    );
  };

  it('pairs each source field with its object: the right order is clean', () => {
    expect(all('objects/note.yaml', note('appointment, patient'))).toEqual([]);
  });

  it('pairs each source field with its object: swapped, the field that references patients is reported', () => {
    expect(all('objects/note.yaml', note('patient, appointment'))).toEqual([
      "FS143 9:33 'patient_id' holds ids of patients (its references in the source model), but mapping 'appointment' loads appointments: each id would be bound to the appointment row of the appointments record that has the same id",
    ]);
  });

  it('checks item fields of an each mapping', () => {
    const connection = (object: string) => `version: 1
source: patients
target: contact
mode: update
each: { path: clinic_assignments }
key: { source: [id, item.clinic_id], prefix: patient- }
fields:
  - to: parentcustomerid
    from: item.clinic_id
    lookup: { object: ${object} }
`;
    const found = (object: string) =>
      all('objects/assignment.yaml', connection(object)).filter((d) => d.startsWith('FS143'));
    expect(found('clinic')).toEqual([]);
    expect(found('patient')).toEqual([
      "FS143 10:23 'item.clinic_id' holds ids of clinics (its references in the source model), but mapping 'patient' loads patients: each id would be bound to the contact row of the patients record that has the same id",
    ]);
  });
});

describe('FS125 hints say what to do with the values as they are', () => {
  const kind = (options: string) => (text: string) =>
    `${text}  - to: fs_kind\n    value: a\n    custom:\n      type: choice\n      label: Kind\n      options: { ${options} }\n`;
  const hints = (options: string) => {
    const input = caseSpec('_base');
    const files = new Map(input.files);
    files.set('objects/patient.yaml', kind(options)(files.get('objects/patient.yaml')!));
    return validateSpec({ ...input, files }, validators)
      .diagnostics.filter((d) => d.code === 'FS125')
      .map((d) => d.hint);
  };

  it('one value pinned onto the value another option derives: pin the derived one', () => {
    const derived = optionValue(10000, { key: 'a', value: undefined });
    expect(hints(`a: { label: A }, b: { label: B, value: ${derived} }`)).toEqual([
      "'a' derives its value from its key: pin it with { label: ..., value: 100000000 }, or change the value pinned on 'b'",
    ]);
  });

  it('two derived values that collide: pin the one being added, not the one rows already hold', () => {
    const byValue = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const key = `k${i}`;
      const value = optionValue(10000, { key, value: undefined });
      const other = byValue.get(value);
      if (other) pair = [other, key];
      byValue.set(value, key);
    }
    const [first, second] = pair;
    expect(hints(`a: { label: A }, ${first}: { label: X }, ${second}: { label: Y }`)).toEqual([
      'pin the option you are adding with { label: ..., value: 100000000 }; the other keeps the value the organisation and its rows already hold',
    ]);
  });
});

describe('FS109 says what to change in the chain there is', () => {
  const firstname = (transform: string) =>
    findings(
      'objects/patient.yaml',
      (t) => t.replace('transform: [trim, truncate] }', `transform: [${transform}] }`),
      'FS109',
    );
  const hintOf = (transform: string) => {
    const input = caseSpec('_base');
    const files = new Map(input.files);
    files.set(
      'objects/patient.yaml',
      files
        .get('objects/patient.yaml')!
        .replace('transform: [trim, truncate] }', `transform: [${transform}] }`),
    );
    return validateSpec({ ...input, files }, validators).diagnostics.find((d) => d.code === 'FS109')?.hint;
  };

  it('no truncate: add one', () => {
    expect(firstname('trim')).toEqual([
      'FS109 10:5 contact.firstname holds at most 50 characters, but the value has no length limit',
    ]);
    expect(hintOf('trim')).toBe('add truncate (cut and flag) or split (numbered parts) as the last step');
  });

  it('a truncate longer than the column: lower its length, at the length', () => {
    expect(firstname('trim, { truncate: { length: 80 } }')).toEqual([
      'FS109 10:80 contact.firstname holds at most 50 characters, but the value can be 80',
    ]);
    expect(hintOf('trim, { truncate: { length: 80 } }')).toBe(
      "lower the length of truncate to 50 or less, or remove length to use the column's maximum",
    );
  });

  it('a truncate followed by a step that lengthens: move it last', () => {
    const chain = `truncate, { default: ${'x'.repeat(60)} }`;
    expect(firstname(chain)).toEqual([
      'FS109 10:5 contact.firstname holds at most 50 characters, but the value can be 60',
    ]);
    expect(hintOf(chain)).toBe(
      'a step after truncate can make the value longer again: move truncate to the end of the chain',
    );
  });
});

describe('FS144 left_out', () => {
  const leftOut = (entries: string) => (t: string) => `${t}left_out:\n${entries}`;

  it('reads a list element field as <list>.<field>: an unknown one is FS102, a read one FS144 naming where', () => {
    const entry = (field: string) =>
      leftOut(`  - resource: patients\n    fields: [${field}]\n    reason: Kept in PracticeHub.\n`);
    expect(findings('migration.yaml', entry('clinic_assignments.clinic_idd'), 'FS102')).toEqual([
      "FS102 17:14 unknown source field 'clinic_idd'. Did you mean 'clinic_id'?",
    ]);
    expect(findings('migration.yaml', entry('clinic_assignments.clinic_id'), 'FS144')).toEqual([
      'FS144 17:14 patients.clinic_assignments.clinic_id is left out of the migration, yet mapping patient reads it (spec/objects/patient.yaml:18:40)',
    ]);
  });

  it('points each path at its own place when an entry before it in the list is not text', () => {
    const entry = leftOut(
      '  - { resource: patients, fields: [~, clinic_assignments.roomm], reason: Kept. }\n',
    );
    expect(findings('migration.yaml', entry, 'FS102')).toEqual(["FS102 16:39 unknown source field 'roomm'."]);
  });

  it('warns of an entry or path another already covers (FS145), pointing at the redundant one', () => {
    const entries = [
      '  - { resource: patients, fields: [clinic_assignments], reason: Kept in PracticeHub. }',
      '  - { resource: patients, fields: [notes, clinic_assignments.clinic_id, notes], reason: Same. }',
      '  - { resource: clinics, fields: [name], reason: Renamed in Sales. }',
      '  - { resource: clinics, reason: The clinic list is built by hand. }',
      '  - { resource: clinics, reason: Twice. }',
      '',
    ].join('\n');
    expect(findings('migration.yaml', leftOut(entries), 'FS145')).toEqual([
      'FS145 17:43 patients.clinic_assignments.clinic_id is already left out by patients.clinic_assignments (spec/migration.yaml:16:36)',
      'FS145 17:73 patients.notes is already left out by patients.notes (spec/migration.yaml:17:36)',
      'FS145 18:17 clinics.name is already left out with the whole resource (spec/migration.yaml:19:5)',
      'FS145 20:17 clinics is already left out with the whole resource (spec/migration.yaml:19:5)',
    ]);
  });

  it('counts a list read for its elements (each, a lookup with element) as reading only the element fields used', () => {
    const input = readSpecDir(join(ROOT, 'spec'), ROOT);
    const files = new Map(input.files);
    const model = files.get('source/practicehub.yaml')!;
    const withRoom = model.replace(
      '            updated_at: { type: datetime, description: When this assignment last changed. }\n',
      '$&            room: { type: string, nullable: true, description: The room booked. }\n',
    );
    expect(withRoom).not.toBe(model);
    files.set('source/practicehub.yaml', withRoom);
    files.set(
      'migration.yaml',
      leftOut(
        '  - { resource: patients, fields: [clinic_assignments.room, clinic_assignments.updated_at], reason: Kept. }\n',
      )(files.get('migration.yaml')!),
    );
    const found = validateSpec({ ...input, files }, validators).diagnostics.filter((d) =>
      ['FS102', 'FS144'].includes(d.code),
    );
    expect(found.map((d) => d.message)).toEqual([
      'patients.clinic_assignments.updated_at is left out of the migration, yet mapping patient-clinic reads it (spec/objects/patient-clinic.yaml:8:64), and mapping patient reads it (spec/objects/patient.yaml:37:80)',
    ]);
  });

  it('counts the mappings that attach a resource as files among its readers', () => {
    const input = readSpecDir(join(ROOT, 'spec'), ROOT);
    const files = new Map(input.files);
    files.set(
      'migration.yaml',
      leftOut('  - resource: files\n    reason: Attachments stay in PracticeHub.\n')(
        files.get('migration.yaml')!,
      ),
    );
    const found = validateSpec({ ...input, files }, validators).diagnostics.filter((d) => d.code === 'FS144');
    expect(found.map((d) => d.message)).toEqual([
      'files is left out of the migration, yet mapping policy-document attaches its records as files (spec/objects/policy-document.yaml:26:19)',
    ]);
  });
});

describe('FS147 keys that meet on one table', () => {
  /** FS147 findings of the base spec with `files` added (path → text). */
  function shared(files: Record<string, string>): string[] {
    const input = caseSpec('_base');
    const all = new Map(input.files);
    for (const [path, text] of Object.entries(files)) all.set(path, text);
    return validateSpec({ ...input, files: all }, validators)
      .diagnostics.filter((d) => d.code === 'FS147')
      .map((d) => `${d.file} ${d.message}`);
  }
  const patients = (where: string, prefix = 'p-') =>
    caseSpec('_base')
      .files.get('objects/patient.yaml')!
      .replace('prefix: patient-', `prefix: ${prefix}`)
      .replace('target: contact\n', `target: contact\nwhere:\n${where}`);

  it('refuses a derived id with the prefix of an alternate key: both make the same row id', () => {
    const staff = [
      'version: 1',
      'source: practitioners',
      'target: contact',
      'key: { source: id, prefix: patient-, derive_id: true }',
      'fields:',
      '  - { to: lastname, value: Staff }',
      '',
    ].join('\n');
    expect(shared({ 'objects/staff.yaml': staff })).toEqual([
      expect.stringMatching(
        /^spec\/objects\/staff\.yaml 'staff' \(practitioners\) keys contact rows with the prefix 'patient-'/,
      ),
    ]);
  });

  it.each([
    [
      'in and in, no value in common',
      '  - { field: sex, in: [female] }\n',
      '  - { field: sex, in: [male, other] }\n',
    ],
    [
      'in and not_in the same values',
      '  - { field: sex, in: [female] }\n',
      '  - { field: sex, not_in: [female] }\n',
    ],
    [
      'present and not present',
      '  - { field: email, present: true }\n',
      '  - { field: email, present: false }\n',
    ],
  ])('passes mappings of one resource whose conditions exclude each other: %s', (_, a, b) => {
    expect(shared({ 'objects/patient-a.yaml': patients(a), 'objects/patient-b.yaml': patients(b) })).toEqual(
      [],
    );
  });

  it('refuses mappings of one resource whose conditions let a record through both', () => {
    const a = patients('  - { field: sex, in: [female, other] }\n');
    const b = patients('  - { field: sex, in: [other] }\n');
    expect(shared({ 'objects/patient-a.yaml': a, 'objects/patient-b.yaml': b })).toEqual([
      expect.stringMatching(
        /^spec\/objects\/patient-b\.yaml 'patient-b' and 'patient-a' .* both load patients records into contact with the key prefix 'p-'/,
      ),
    ]);
  });
});

describe('FS146 where conditions in a mapping with each', () => {
  it('refuses an item field: conditions test the record before each splits it', () => {
    const input = caseSpec('_base');
    const each = [
      'version: 1',
      'source: patients',
      'target: connection',
      'where:',
      '  - { field: item.clinic_id, present: true }',
      '  - { field: clinic_assignments, present: true }',
      'each: { path: clinic_assignments }',
      'key: { source: [id, item.clinic_id], prefix: patient-clinic-, derive_id: true }',
      'fields:',
      '  - { to: record1id, from: id, lookup: { object: patient } }',
      '',
    ].join('\n');
    const files = new Map(input.files).set('objects/patient-clinic.yaml', each);
    const found = validateSpec({ ...input, files }, validators).diagnostics.filter((d) => d.code === 'FS146');
    expect(found.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "5:14 a where condition tests the source record, before each splits it: 'item.clinic_id' is not there yet",
    ]);
  });
});

describe('FS148 names that become one identifier', () => {
  it('counts the staff resource among those read: it has a record type too', () => {
    const input = caseSpec('_base');
    const model = input.files.get('source/practicehub.yaml')!;
    const files = new Map(input.files)
      .set(
        'source/practicehub.yaml',
        model.replace(
          'resources:\n',
          'resources:\n  practitioners_:\n    fields:\n      id: { type: id }\n      name: { type: string }\n',
        ),
      )
      .set(
        'objects/practitioner-extra.yaml',
        [
          'version: 1',
          'source: practitioners_',
          'target: account',
          'key: { source: id, prefix: pe-, column: fs_practicehubid }',
          'fields:',
          '  - { to: name, from: name, transform: [trim, truncate] }',
          '',
        ].join('\n'),
      );
    const found = validateSpec({ ...input, files }, validators).diagnostics.filter((d) => d.code === 'FS148');
    expect(found.map((d) => d.message)).toEqual([
      expect.stringMatching(
        /^resources 'practitioners' and 'practitioners_' .* both become PractitionersRecord/,
      ),
    ]);
  });
});

describe('FS132 after truncate', () => {
  const lastname = (truncate: string) =>
    findings(
      'objects/patient.yaml',
      (t) =>
        t.replace(
          'transform: [trim, { default: (unknown) }, truncate]',
          `transform: [trim, { default: (unknown) }, ${truncate}]`,
        ),
      'FS132',
    );

  it('warns when a truncate to 1 follows the default: text starting with an emoji keeps nothing', () => {
    expect(lastname('{ truncate: { length: 1 } }')).toEqual([
      'FS132 11:5 contact.lastname is required, but the value can be empty',
    ]);
  });

  it('does not warn for a truncate to 2 or more, which keeps at least one character', () => {
    expect(lastname('{ truncate: { length: 2 } }')).toEqual([]);
  });
});

describe('FS014 text Dataverse shows, with control characters', () => {
  const withColumn = (custom: string) => (t: string) =>
    t.replace(
      '  - { to: description, from: notes, transform: [truncate] }\n',
      `  - { to: description, from: notes, transform: [truncate] }\n  - { to: fs_flag, from: sex, custom: ${custom} }\n`,
    );

  it('refuses a label holding a control character, and says which one', () => {
    expect(
      findings(
        'objects/patient.yaml',
        (t) => t.replace('label: PracticeHub id }', 'label: "PracticeHub\\x07 id" }'),
        'FS014',
      ),
    ).toEqual([
      "FS014 8:51 text 'PracticeHub<U+0007> id' is not in the expected form: it holds a control character (U+0007)",
    ]);
  });

  it('refuses a tab in a label (one line) but takes tabs and line breaks in a description', () => {
    expect(
      findings(
        'objects/patient.yaml',
        withColumn('{ type: string, max_length: 10, label: "A\\tB", description: "one\\ttwo\\r\\nthree" }'),
        'FS014',
      ),
    ).toEqual([
      "FS014 16:78 text 'A<U+0009>B' is not in the expected form: it holds a control character (U+0009)",
    ]);
  });

  it('refuses control characters in a description and in option labels, in both forms', () => {
    expect(
      findings(
        'objects/patient.yaml',
        withColumn(
          '{ type: choice, label: Flag, description: "a\\x1bb", options: { red: "R\\x85", blue: { label: "B\\x00" } } }',
        ),
        'FS014',
      ),
    ).toEqual([
      "FS014 16:81 text 'a<U+001B>b' is not in the expected form: it holds a control character (U+001B)",
      "FS014 16:107 text 'R<U+0085>' is not in the expected form: it holds a control character (U+0085)",
      "FS014 16:131 text 'B<U+0000>' is not in the expected form: it holds a control character (U+0000)",
    ]);
  });
});
