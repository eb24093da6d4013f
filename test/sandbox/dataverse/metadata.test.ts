import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityId, type Harness, harness } from './helpers.ts';

const label = (text: string) => ({ LocalizedLabels: [{ Label: text, LanguageCode: 1033 }] });

const primaryName = (schema: string) => ({
  '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
  SchemaName: schema,
  IsPrimaryName: true,
  MaxLength: 100,
  FormatName: { Value: 'Text' },
  DisplayName: label('Name'),
  RequiredLevel: { Value: 'None' },
});

const tableBody = (schema: string, extra: Record<string, unknown> = {}) => ({
  '@odata.type': 'Microsoft.Dynamics.CRM.EntityMetadata',
  SchemaName: schema,
  DisplayName: label(schema),
  DisplayCollectionName: label(`${schema}s`),
  OwnershipType: 'UserOwned',
  IsActivity: false,
  HasActivities: false,
  HasNotes: true,
  Attributes: [primaryName(`${schema.split('_')[0]}_Name`)],
  ...extra,
});

const stringColumn = (schema: string, maxLength = 100) => ({
  '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
  SchemaName: schema,
  DisplayName: label(schema),
  RequiredLevel: { Value: 'None' },
  MaxLength: maxLength,
});

/** Metadata: PA`webapi/query-metadata-web-api`, create-update-column/entity-definitions docs, reference §5–§6. */
describe('dataverse sandbox: metadata', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ keyActivationDelayMs: 150 });
  });
  afterAll(() => h.close());

  it('lists EntityDefinitions with $select and $filter on LogicalName', async () => {
    const r = await h.call(
      'GET',
      `EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute&$filter=${encodeURIComponent("LogicalName eq 'contact'")}`,
    );
    expect(r.status).toBe(200);
    expect(r.json.value).toEqual([
      expect.objectContaining({
        LogicalName: 'contact',
        EntitySetName: 'contacts',
        PrimaryIdAttribute: 'contactid',
      }),
    ]);
    expect(Object.keys(r.json.value[0]).sort()).toEqual([
      'EntitySetName',
      'LogicalName',
      'MetadataId',
      'PrimaryIdAttribute',
    ]);
  });

  it('reads one definition by LogicalName and by MetadataId', async () => {
    const byName = await h.call(
      'GET',
      "EntityDefinitions(LogicalName='account')?$select=MetadataId,PrimaryNameAttribute",
    );
    expect(byName.json.PrimaryNameAttribute).toBe('name');
    const byId = await h.call('GET', `EntityDefinitions(${byName.json.MetadataId})?$select=LogicalName`);
    expect(byId.json.LogicalName).toBe('account');
  });

  it('reads typed attributes through a cast segment, with MaxLength (query-metadata-web-api)', async () => {
    const r = await h.call(
      'GET',
      `EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.StringAttributeMetadata?$select=LogicalName,MaxLength&$filter=${encodeURIComponent("LogicalName eq 'name'")}`,
    );
    expect(r.json.value).toEqual([
      {
        '@odata.type': '#Microsoft.Dynamics.CRM.StringAttributeMetadata',
        LogicalName: 'name',
        MaxLength: 160,
        MetadataId: expect.any(String),
      },
    ]);
    const annotation = await h.call(
      'GET',
      "EntityDefinitions(LogicalName='annotation')/Attributes(LogicalName='notetext')/Microsoft.Dynamics.CRM.MemoAttributeMetadata?$select=MaxLength",
    );
    expect(annotation.json.MaxLength).toBe(100000);
  });

  it('expands the OptionSet of a picklist and reads state/status pairs', async () => {
    const r = await h.call(
      'GET',
      "EntityDefinitions(LogicalName='appointment')/Attributes(LogicalName='statuscode')/Microsoft.Dynamics.CRM.StatusAttributeMetadata?$select=LogicalName&$expand=OptionSet",
    );
    const options = r.json.OptionSet.Options.map((o: { Value: number; State: number }) => [o.Value, o.State]);
    expect(options).toEqual([
      [1, 0],
      [2, 0],
      [3, 1],
      [4, 2],
      [5, 3],
      [6, 3],
    ]);
  });

  it('reports overriddencreatedon as create-only DateOnly/UserLocal (reference §2)', async () => {
    const r = await h.call(
      'GET',
      "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='overriddencreatedon')",
    );
    expect(r.json).toMatchObject({
      IsValidForCreate: true,
      IsValidForUpdate: false,
      Format: 'DateOnly',
      DateTimeBehavior: { Value: 'UserLocal' },
    });
  });

  it('lists many-to-one relationships with their navigation property names', async () => {
    const r = await h.call(
      'GET',
      "EntityDefinitions(LogicalName='contact')/ManyToOneRelationships?$select=ReferencingAttribute,ReferencedEntity,ReferencingEntityNavigationPropertyName",
    );
    expect(r.json.value).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ReferencingAttribute: 'parentcustomerid',
          ReferencedEntity: 'account',
          ReferencingEntityNavigationPropertyName: 'parentcustomerid_account',
        }),
      ]),
    );
  });

  it('creates columns usable at once, checks the publisher prefix and duplicate names (reference §5)', async () => {
    const r = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: stringColumn('fs_InsuranceCarrier', 100),
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('OData-EntityId')).toMatch(
      /EntityDefinitions\([0-9a-f-]{36}\)\/Attributes\([0-9a-f-]{36}\)$/,
    );
    const write = await h.call('POST', 'contacts?$select=fs_insurancecarrier', {
      body: { lastname: 'I', fs_insurancecarrier: 'Acme' },
      headers: { Prefer: 'return=representation' },
    });
    expect(write.json.fs_insurancecarrier).toBe('Acme');
    const tooLong = await h.call('POST', 'contacts', {
      body: { lastname: 'I', fs_insurancecarrier: 'x'.repeat(101) },
    });
    expect(tooLong.json.error.code).toBe('0x80044331');
    const prefix = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: stringColumn('zz_Thing'),
    });
    expect(prefix.status).toBe(400);
    expect(prefix.json.error.code).toBe('0x80044366');
    const chars = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: stringColumn('fs_bad-name'),
    });
    expect(chars.json.error.code).toBe('0x80044364');
    const dup = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: stringColumn('fs_InsuranceCarrier'),
    });
    expect(dup.json.error.code).toBe('0x80047013');
    const solution = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: stringColumn('new_Thing'),
      headers: { 'MSCRM.SolutionUniqueName': 'flitstack' },
    });
    expect(solution.json.error.code).toBe('0x80044366');
  });

  it.each([
    [
      'MemoAttributeMetadata',
      { MaxLength: 500, Format: 'TextArea' },
      'fs_Notes',
      'long text',
      'x'.repeat(501),
    ],
    ['IntegerAttributeMetadata', { MinValue: 0, MaxValue: 10 }, 'fs_Visits', 7, 11],
    ['DecimalAttributeMetadata', { Precision: 2, MinValue: 0, MaxValue: 100 }, 'fs_Ratio', 12.34, 101],
    ['MoneyAttributeMetadata', { PrecisionSource: 2 }, 'fs_Balance', 99.5, 'ninety'],
    [
      'BooleanAttributeMetadata',
      {
        DefaultValue: false,
        OptionSet: {
          TrueOption: { Value: 1, Label: label('Yes') },
          FalseOption: { Value: 0, Label: label('No') },
        },
      },
      'fs_Flag',
      true,
      'yes',
    ],
  ])(
    'creates a %s column that accepts good values and rejects bad ones (reference §5.1)',
    async (type, extra, schema, good, bad) => {
      const r = await h.call('POST', "EntityDefinitions(LogicalName='account')/Attributes", {
        body: {
          '@odata.type': `Microsoft.Dynamics.CRM.${type}`,
          SchemaName: schema,
          DisplayName: label(schema),
          ...extra,
        },
      });
      expect(r.status, r.text).toBe(204);
      const column = schema.toLowerCase();
      const ok = await h.call('POST', `accounts?$select=${column}`, {
        body: { name: 'Typed', [column]: good },
        headers: { Prefer: 'return=representation' },
      });
      expect(ok.status, ok.text).toBe(201);
      expect(ok.json[column]).toBe(good);
      const rejected = await h.call('POST', 'accounts', { body: { name: 'Typed', [column]: bad } });
      expect(rejected.status).toBe(400);
      const meta = await h.call(
        'GET',
        `EntityDefinitions(LogicalName='account')/Attributes(LogicalName='${column}')`,
      );
      expect(meta.json['@odata.type']).toBe(`#Microsoft.Dynamics.CRM.${type}`);
      expect(meta.json.IsCustomAttribute).toBe(true);
    },
  );

  it('creates DateOnly and choice columns with the documented rules', async () => {
    const badDate = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: {
        '@odata.type': 'Microsoft.Dynamics.CRM.DateTimeAttributeMetadata',
        SchemaName: 'fs_ReferralDate',
        Format: 'DateAndTime',
        DateTimeBehavior: { Value: 'DateOnly' },
      },
    });
    expect(badDate.status).toBe(400);
    const date = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: {
        '@odata.type': 'Microsoft.Dynamics.CRM.DateTimeAttributeMetadata',
        SchemaName: 'fs_ReferralDate',
        Format: 'DateOnly',
        DateTimeBehavior: { Value: 'DateOnly' },
      },
    });
    expect(date.status).toBe(204);
    // The display format may change, but a DateOnly column keeps Format DateOnly.
    const path = "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='fs_referraldate')";
    const dateBody = {
      '@odata.type': 'Microsoft.Dynamics.CRM.DateTimeAttributeMetadata',
      SchemaName: 'fs_ReferralDate',
      DateTimeBehavior: { Value: 'DateOnly' },
    };
    expect((await h.call('PUT', path, { body: { ...dateBody, Format: 'DateAndTime' } })).status).toBe(400);
    expect((await h.call('PUT', path, { body: { ...dateBody, Format: 'DateOnly' } })).status).toBe(204);
    expect(
      (await h.call('POST', 'contacts', { body: { lastname: 'R', fs_referraldate: '2024-02-30' } })).status,
    ).toBe(400);
    const choice = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: {
        '@odata.type': 'Microsoft.Dynamics.CRM.PicklistAttributeMetadata',
        SchemaName: 'fs_Coverage',
        OptionSet: { Options: [{ Label: label('Full') }, { Label: label('Partial') }] },
      },
    });
    expect(choice.status).toBe(204);
    const options = await h.call(
      'GET',
      "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='fs_coverage')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$expand=OptionSet",
    );
    // Option values start at the publisher's option value prefix × 10,000 (reference §5.4).
    expect(options.json.OptionSet.Options.map((o: { Value: number }) => o.Value)).toEqual([
      100000000, 100000001,
    ]);
  });

  it('creates a custom table with a pluralised entity set, usable by the data API and by bulk messages', async () => {
    const r = await h.call('POST', 'EntityDefinitions', { body: tableBody('fs_Prescription') });
    expect(r.status, r.text).toBe(204);
    const def = await h.call(
      'GET',
      "EntityDefinitions(LogicalName='fs_prescription')?$select=EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,IsCustomEntity",
    );
    expect(def.json).toMatchObject({
      EntitySetName: 'fs_prescriptions',
      PrimaryIdAttribute: 'fs_prescriptionid',
      PrimaryNameAttribute: 'fs_name',
      IsCustomEntity: true,
    });
    expect(entityId(await h.call('POST', 'fs_prescriptions', { body: { fs_name: 'Rx 1' } }))).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    const note = await h.call('POST', 'annotations', {
      body: {
        subject: 'On rx',
        'objectid_fs_prescription@odata.bind': `/fs_prescriptions(${(await h.call('GET', 'fs_prescriptions')).json.value[0].fs_prescriptionid})`,
      },
    });
    expect(note.status).toBe(204);
    const filters = await h.call(
      'GET',
      `sdkmessagefilters?$select=sdkmessagefilterid&$filter=${encodeURIComponent("sdkmessageid/name eq 'UpsertMultiple' and primaryobjecttypecode eq 'fs_prescription'")}`,
    );
    expect(filters.json.value).toHaveLength(1);
  });

  it('creates lookups through RelationshipDefinitions; the navigation property keeps the SchemaName case', async () => {
    const definition = {
      '@odata.type': 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
      SchemaName: 'fs_contact_fs_prescription',
      ReferencedEntity: 'contact',
      ReferencedAttribute: 'contactid',
      ReferencingEntity: 'fs_prescription',
      Lookup: {
        '@odata.type': 'Microsoft.Dynamics.CRM.LookupAttributeMetadata',
        SchemaName: 'fs_PatientId',
        DisplayName: label('Patient'),
      },
      AssociatedMenuConfiguration: { Behavior: 'UseCollectionName', Group: 'Details', Order: 10000 },
      CascadeConfiguration: { Delete: 'Cascade' },
    };
    const { CascadeConfiguration: _cascade, ...noCascade } = definition;
    for (const body of [noCascade, { ...definition, ReferencedAttribute: 'fullname' }]) {
      const refused = await h.call('POST', 'RelationshipDefinitions', { body });
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe('0x80040203');
    }
    const rel = await h.call('POST', 'RelationshipDefinitions', { body: definition });
    expect(rel.status, rel.text).toBe(204);
    const patient = entityId(await h.call('POST', 'contacts', { body: { lastname: 'Pat' } }));
    const lower = await h.call('POST', 'fs_prescriptions', {
      body: { fs_name: 'Rx', 'fs_patientid@odata.bind': `/contacts(${patient})` },
    });
    expect(lower.status).toBe(400);
    expect(lower.json.error.code).toBe('0x80048d19');
    const ok = await h.call('POST', 'fs_prescriptions?$select=_fs_patientid_value', {
      body: { fs_name: 'Rx', 'fs_PatientId@odata.bind': `/contacts(${patient})` },
      headers: { Prefer: 'return=representation' },
    });
    expect(ok.json._fs_patientid_value).toBe(patient);
  });

  it('creates alternate keys Pending, then Active after the activation delay (define-alternate-keys-entity)', async () => {
    await h.call('POST', "EntityDefinitions(LogicalName='fs_prescription')/Attributes", {
      body: stringColumn('fs_SourceId', 50),
    });
    const key = await h.call('POST', "EntityDefinitions(LogicalName='fs_prescription')/Keys", {
      body: {
        SchemaName: 'fs_sourceid_key',
        DisplayName: label('Source id'),
        KeyAttributes: ['fs_sourceid'],
      },
    });
    expect(key.status).toBe(204);
    const status = async () =>
      (
        await h.call(
          'GET',
          "EntityDefinitions(LogicalName='fs_prescription')/Keys?$select=SchemaName,EntityKeyIndexStatus",
        )
      ).json.value[0].EntityKeyIndexStatus;
    expect(await status()).toBe('Pending');
    const early = await h.call('PATCH', "fs_prescriptions(fs_sourceid='S-1')", {
      body: { fs_name: 'Early' },
    });
    expect(early.status).toBe(400);
    expect(early.json.error).toEqual({
      code: '0x80060890',
      message: 'The specified key attributes are not a defined key for the fs_prescription entity',
    });
    await new Promise((r) => setTimeout(r, 250));
    expect(await status()).toBe('Active');
    expect(
      (await h.call('PATCH', "fs_prescriptions(fs_sourceid='S-1')", { body: { fs_name: 'Now' } })).status,
    ).toBe(204);
  });

  it('marks a key Failed when existing rows already hold duplicates', async () => {
    await h.call('POST', "EntityDefinitions(LogicalName='account')/Attributes", {
      body: stringColumn('fs_LegacyCode', 20),
    });
    await h.call('POST', 'accounts', { body: { name: 'A', fs_legacycode: 'SAME' } });
    await h.call('POST', 'accounts', { body: { name: 'B', fs_legacycode: 'same' } });
    await h.call('POST', "EntityDefinitions(LogicalName='account')/Keys", {
      body: { SchemaName: 'fs_legacy_key', KeyAttributes: ['fs_legacycode'] },
    });
    await new Promise((r) => setTimeout(r, 250));
    const keys = await h.call(
      'GET',
      "EntityDefinitions(LogicalName='account')/Keys?$select=EntityKeyIndexStatus",
    );
    expect(keys.json.value[0].EntityKeyIndexStatus).toBe('Failed');
  });

  it('changes the label of an option of a local option set through UpdateOptionValue (create-update-optionsets)', async () => {
    const created = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: {
        '@odata.type': 'Microsoft.Dynamics.CRM.MultiSelectPicklistAttributeMetadata',
        SchemaName: 'fs_Channels',
        OptionSet: {
          Options: [
            { Value: 100000001, Label: label('Web') },
            { Value: 100000002, Label: label('Post') },
          ],
        },
      },
    });
    expect(created.status).toBe(204);
    const update = (body: Record<string, unknown>) =>
      h.call('POST', 'UpdateOptionValue', {
        body: {
          EntityLogicalName: 'contact',
          AttributeLogicalName: 'fs_channels',
          MergeLabels: true,
          ...body,
        },
      });
    expect((await update({ Value: 100000002, Label: label('Phone') })).status).toBe(204);
    const read = await h.call(
      'GET',
      "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='fs_channels')/Microsoft.Dynamics.CRM.MultiSelectPicklistAttributeMetadata?$expand=OptionSet",
    );
    // Served as Dataverse serves labels: each language in LocalizedLabels, the caller's in UserLocalizedLabel.
    expect(
      read.json.OptionSet.Options.map((o: { Value: number; Label: Record<string, unknown> }) => [
        o.Value,
        (o.Label.LocalizedLabels as { Label: string; LanguageCode: number }[]).map((l) => [
          l.LanguageCode,
          l.Label,
        ]),
        (o.Label.UserLocalizedLabel as { Label: string }).Label,
      ]),
    ).toEqual([
      [100000001, [[1033, 'Web']], 'Web'],
      [100000002, [[1033, 'Phone']], 'Phone'],
    ]);
    expect(read.json.OptionSet.IsGlobal).toBe(false);
    // An option the column lacks, a column the table lacks, no MergeLabels, and a global option set the
    // organisation lacks are refused.
    expect((await update({ Value: 100000009, Label: label('Fax') })).status).toBe(400);
    expect((await update({ AttributeLogicalName: 'fs_nothing', Value: 100000001 })).json.error.code).toBe(
      '0x80041103',
    );
    expect((await update({ MergeLabels: undefined, Value: 100000001, Label: label('Fax') })).status).toBe(
      400,
    );
    const global = await h.call('POST', 'UpdateOptionValue', {
      body: { OptionSetName: 'fs_colours', Value: 1, Label: label('Red'), MergeLabels: true },
    });
    expect(global.status).toBe(404);
    expect((await h.call('GET', 'UpdateOptionValue')).status).toBe(404);
  });

  it('adds an option to a local option set through InsertOptionValue, refusing a value in use (create-update-optionsets)', async () => {
    const created = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      body: {
        '@odata.type': 'Microsoft.Dynamics.CRM.PicklistAttributeMetadata',
        SchemaName: 'fs_Referral',
        OptionSet: { Options: [{ Value: 100000001, Label: label('Physician') }] },
      },
    });
    expect(created.status).toBe(204);
    const insert = (body: Record<string, unknown>) =>
      h.call('POST', 'InsertOptionValue', {
        body: { EntityLogicalName: 'contact', AttributeLogicalName: 'fs_referral', ...body },
      });
    const added = await insert({ Value: 100000002, Label: label('Clinic') });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({
      '@odata.context': expect.stringMatching(
        /\$metadata#Microsoft\.Dynamics\.CRM\.InsertOptionValueResponse$/,
      ),
      NewOptionValue: 100000002,
    });
    // Without a Value, Dataverse assigns the next one.
    expect((await insert({ Label: label('Other') })).json.NewOptionValue).toBe(100000003);
    const read = await h.call(
      'GET',
      "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='fs_referral')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$expand=OptionSet",
    );
    expect(
      read.json.OptionSet.Options.map(
        (o: { Value: number; Label: { UserLocalizedLabel: { Label: string } } }) => [
          o.Value,
          o.Label.UserLocalizedLabel.Label,
        ],
      ),
    ).toEqual([
      [100000001, 'Physician'],
      [100000002, 'Clinic'],
      [100000003, 'Other'],
    ]);
    // A value in use, a table or column the organisation lacks, a column without options, no label,
    // and a global option set the organisation lacks are refused.
    const taken = await insert({ Value: 100000001, Label: label('Doctor') });
    expect(taken.status).toBe(400);
    expect(taken.json.error.message).toContain('100000001');
    expect((await insert({ EntityLogicalName: 'fs_nothing', Value: 1, Label: label('X') })).status).toBe(404);
    expect(
      (await insert({ AttributeLogicalName: 'fs_nothing', Value: 1, Label: label('X') })).json.error.code,
    ).toBe('0x80041103');
    expect((await insert({ AttributeLogicalName: 'lastname', Value: 1, Label: label('X') })).status).toBe(
      400,
    );
    expect((await insert({ Value: 100000009 })).status).toBe(400);
    const global = await h.call('POST', 'InsertOptionValue', {
      body: { OptionSetName: 'fs_colours', Value: 1, Label: label('Red') },
    });
    expect(global.status).toBe(404);
    expect((await h.call('GET', 'InsertOptionValue')).status).toBe(404);
  });

  it('accepts PublishXml and PublishAllXml', async () => {
    const xml = await h.call('POST', 'PublishXml', {
      body: {
        ParameterXml: '<importexportxml><entities><entity>contact</entity></entities></importexportxml>',
      },
    });
    expect(xml.status).toBe(204);
    expect((await h.call('POST', 'PublishAllXml', { body: {} })).status).toBe(204);
    expect((await h.call('POST', 'PublishXml', { body: {} })).status).toBe(400);
  });
});

/** Sales Professional limits: 15 custom tables (contractual, reference §6) and the seed's 15-column rule. */
describe('dataverse sandbox: licence limits by configuration', () => {
  it('refuses the 16th custom table on professional with ExceedCustomEntityQuota, and not on enterprise', async () => {
    const pro = await harness({ maxCustomTablesProfessional: 2 });
    const ent = await harness({ licence: 'enterprise', maxCustomTablesProfessional: 2 });
    try {
      for (const name of ['fs_One', 'fs_Two'])
        expect((await pro.call('POST', 'EntityDefinitions', { body: tableBody(name) })).status).toBe(204);
      const third = await pro.call('POST', 'EntityDefinitions', { body: tableBody('fs_Three') });
      expect(third.status).toBe(400);
      expect(third.json.error).toEqual({
        code: '0x8004b042',
        message: 'The custom entity limit has been reached.',
      });
      for (const name of ['fs_One', 'fs_Two', 'fs_Three'])
        expect((await ent.call('POST', 'EntityDefinitions', { body: tableBody(name) })).status).toBe(204);
    } finally {
      await pro.close();
      await ent.close();
    }
  });

  it('refuses a custom column past maxCustomColumnsPerTableProfessional, and allows it when unset', async () => {
    const pro = await harness({ maxCustomColumnsPerTableProfessional: 2 });
    const off = await harness({ maxCustomColumnsPerTableProfessional: null });
    try {
      for (const c of ['fs_A', 'fs_B'])
        expect(
          (
            await pro.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
              body: stringColumn(c),
            })
          ).status,
        ).toBe(204);
      const third = await pro.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
        body: stringColumn('fs_C'),
      });
      expect(third.status).toBe(400);
      expect(third.json.error.message).toContain('already has 2 custom columns');
      for (const c of ['fs_A', 'fs_B', 'fs_C'])
        expect(
          (
            await off.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
              body: stringColumn(c),
            })
          ).status,
        ).toBe(204);
    } finally {
      await pro.close();
      await off.close();
    }
  });
});

/** Publishers (reference §5.4): the prefix rules, and a new publisher's prefix usable for schema names. */
describe('dataverse sandbox: publishers', () => {
  it('validates the customization prefix and accepts a new publisher for schema names', async () => {
    const h = await harness();
    try {
      const bad = await h.call('POST', 'publishers', {
        body: {
          uniquename: 'bad',
          friendlyname: 'Bad',
          customizationprefix: 'mscrmx',
          customizationoptionvalueprefix: 20000,
        },
      });
      expect(bad.status).toBe(400);
      const short = await h.call('POST', 'publishers', {
        body: {
          uniquename: 'short',
          friendlyname: 'Short',
          customizationprefix: 'a',
          customizationoptionvalueprefix: 20000,
        },
      });
      expect(short.status).toBe(400);
      const ok = await h.call('POST', 'publishers', {
        body: {
          uniquename: 'acme',
          friendlyname: 'Acme',
          customizationprefix: 'acme',
          customizationoptionvalueprefix: 20000,
        },
      });
      expect(ok.status).toBe(204);
      const col = await h.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
        body: stringColumn('acme_Code'),
      });
      expect(col.status).toBe(204);
    } finally {
      await h.close();
    }
  });
});
