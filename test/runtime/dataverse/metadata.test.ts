import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../runtime/dataverse/client.ts';
import type { DataverseError } from '../../../runtime/dataverse/errors.ts';
import { toAttribute } from '../../../runtime/dataverse/metadata.ts';
import { recordUri } from '../../../runtime/dataverse/odata.ts';
import { label } from '../../../runtime/dataverse/schema.ts';
import { clientOptions, createVisitTable, type Rig, rig, startGateway } from './helpers.ts';

/** Metadata reads and writes (reference §3.4, §5). */
describe('dataverse client: metadata', () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig({ keyActivationDelayMs: 300 });
    await createVisitTable(r.client);
  });
  afterAll(() => r.close());

  it('reads a table definition with its columns and keys; an unknown table is undefined', async () => {
    const contact = await r.client.entityDefinition('contact', { attributes: true, keys: true });
    expect(contact).toMatchObject({
      logicalName: 'contact',
      entitySetName: 'contacts',
      primaryIdAttribute: 'contactid',
      primaryNameAttribute: 'fullname',
      ownershipType: 'UserOwned',
      isCustom: false,
    });
    const lastname = contact!.attributes!.find((a) => a.logicalName === 'lastname')!;
    expect(lastname).toMatchObject({
      metadataType: 'StringAttributeMetadata',
      maxLength: 50,
      requiredLevel: 'ApplicationRequired',
    });
    expect(contact!.keys).toEqual([]);
    const appointment = await r.client.entityDefinition('appointment');
    expect(appointment?.primaryIdAttribute).toBe('activityid');
    expect(await r.client.entityDefinition('fs_nothing')).toBeUndefined();
  });

  it('reads the options of choice columns through type-cast segments', async () => {
    const columns = await r.client.attributes('contact');
    const gender = columns.find((c) => c.logicalName === 'gendercode')!;
    expect(gender.options).toEqual([
      { value: 1, label: 'Male', labels: { 1033: 'Male' } },
      { value: 2, label: 'Female', labels: { 1033: 'Female' } },
    ]);
    expect(gender.optionSet).toMatchObject({ isGlobal: false });
    const status = columns.find((c) => c.logicalName === 'statuscode')!;
    expect(status.metadataType).toBe('StatusAttributeMetadata');
    expect(status.options).toEqual([
      { value: 1, label: 'Active', labels: { 1033: 'Active' }, state: 0 },
      { value: 2, label: 'Inactive', labels: { 1033: 'Inactive' }, state: 1 },
    ]);
    const birthdate = columns.find((c) => c.logicalName === 'birthdate')!;
    expect(birthdate).toMatchObject({ format: 'DateOnly', dateTimeBehavior: 'DateOnly' });
    const parent = columns.find((c) => c.logicalName === 'parentcustomerid')!;
    expect(parent.targets).toEqual(['account', 'contact']);
  });

  it("keeps an option's label in every language apart from the calling user's, and whether its option set is global", () => {
    const localized = (text: string, languageCode: number) => ({ Label: text, LanguageCode: languageCode });
    const column = toAttribute({
      '@odata.type': '#Microsoft.Dynamics.CRM.PicklistAttributeMetadata',
      LogicalName: 'fs_kind',
      OptionSet: {
        Name: 'fs_kinds',
        IsGlobal: true,
        Options: [
          {
            Value: 1,
            Label: {
              LocalizedLabels: [localized('Hund', 1031), localized('Dog', 1033)],
              UserLocalizedLabel: localized('Hund', 1031),
            },
          },
          { Value: 2, Label: { LocalizedLabels: [], UserLocalizedLabel: null } },
        ],
      },
    });
    expect(column.options).toEqual([
      { value: 1, label: 'Hund', labels: { 1031: 'Hund', 1033: 'Dog' } },
      { value: 2, label: '', labels: {} },
    ]);
    expect(column.optionSet).toEqual({ name: 'fs_kinds', isGlobal: true });
  });

  it('creates a key whose index builds asynchronously, and waits for it', async () => {
    await r.client.createAttribute(
      'fs_visit',
      {
        '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
        SchemaName: 'fs_Code',
        MaxLength: 20,
        DisplayName: label('Code'),
      },
      'flitstack',
    );
    await r.client.createKey(
      'fs_visit',
      { SchemaName: 'fs_visit_code', KeyAttributes: ['fs_code'], DisplayName: label('Code') },
      'flitstack',
    );
    const pending = (await r.client.keys('fs_visit')).find((k) => k.logicalName === 'fs_visit_code')!;
    expect(pending).toMatchObject({ keyAttributes: ['fs_code'], status: 'Pending' });
    const early = await r.client
      .upsert('fs_visits', { fs_code: 'A1' }, { fs_name: 'too early' })
      .catch((x: unknown) => x);
    expect(early).toMatchObject({ status: 400, code: '0x80060890' });
    expect((early as DataverseError).hint).toContain('EntityKeyIndexStatus');
    await r.client.waitForKey('fs_visit', 'fs_visit_code', { intervalMs: 50, timeoutMs: 3_000 });
    expect((await r.client.keys('fs_visit')).find((k) => k.logicalName === 'fs_visit_code')!.status).toBe(
      'Active',
    );
    await r.client.upsert('fs_visits', { fs_code: 'A1' }, { fs_name: 'in time' });
  });

  it('creates a lookup through a one-to-many relationship and binds through its navigation property', async () => {
    await r.client.createOneToManyRelationship(
      {
        SchemaName: 'fs_contact_fs_visit_patient',
        ReferencedEntity: 'contact',
        ReferencedAttribute: 'contactid',
        ReferencingEntity: 'fs_visit',
        AssociatedMenuConfiguration: { Behavior: 'UseCollectionName', Group: 'Details', Order: 10000 },
        CascadeConfiguration: { Delete: 'RemoveLink' },
        Lookup: {
          '@odata.type': 'Microsoft.Dynamics.CRM.LookupAttributeMetadata',
          SchemaName: 'fs_PatientId',
          DisplayName: label('Patient'),
        },
      },
      'flitstack',
    );
    const contactId = await r.client.create('contacts', { lastname: 'Patient' });
    const bind = { fs_name: 'Bound', 'fs_PatientId@odata.bind': recordUri('contacts', contactId) };
    const id = await r.client.create('fs_visits', bind);
    const row = r.sb.snapshot(['fs_visit']).tables.fs_visit!.find((v) => v.fs_visitid === id)!;
    expect(row.fs_patientid).toEqual({ table: 'contact', id: contactId });
    const lower = await r.client
      .create('fs_visits', { fs_name: 'Lower', 'fs_patientid@odata.bind': recordUri('contacts', contactId) })
      .catch((x: unknown) => x);
    expect((lower as DataverseError).hint).toContain("lookup's schema name");
  });

  it('finds publishers by prefix and publishes', async () => {
    expect(await r.client.publisherByPrefix('fs')).toMatchObject({
      uniqueName: 'flitstack',
      prefix: 'fs',
      optionValuePrefix: 10000,
    });
    expect(await r.client.publisherByPrefix('zz')).toBeUndefined();
    const before = r.sb.stats().requests.metadata;
    await r.client.publish(['contact', 'fs_visit']);
    await r.client.publish([]);
    expect(r.sb.stats().requests.metadata - before).toBe(2);
  });

  it('refuses an existing column on a first attempt with its code', async () => {
    const e = (await r.client
      .createAttribute(
        'fs_visit',
        {
          '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
          SchemaName: 'fs_Code',
          MaxLength: 20,
          DisplayName: label('Code'),
        },
        'flitstack',
      )
      .catch((x: unknown) => x)) as DataverseError;
    expect(e).toMatchObject({ status: 400, code: '0x80047013', method: 'POST' });
    expect(e.path).toBe("EntityDefinitions(LogicalName='fs_visit')/Attributes");
  });
  it('takes a column its first attempt created, whose answer was lost, as created when the retry finds it', async () => {
    // The gateway passes the first create on to the organisation but answers it 502, as when the answer
    // is lost on its way back; the retry then meets the column the first attempt created.
    let lost = 0;
    const gateway = await startGateway(r.sb.url, (req, answer) => {
      if (req.method !== 'POST' || !req.url?.endsWith('/Attributes') || lost > 0) return answer;
      lost += 1;
      return { status: 502, headers: { 'content-type': 'application/json' }, text: '{}' };
    });
    const client = new DataverseClient(clientOptions(r.sb, { url: gateway.url, authorityHost: gateway.url }));
    try {
      const id = await client.createAttribute(
        'fs_visit',
        {
          '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
          SchemaName: 'fs_Room',
          MaxLength: 20,
          DisplayName: label('Room'),
        },
        'flitstack',
      );
      expect(lost).toBe(1);
      const room = (await r.client.attributes('fs_visit', false)).find((a) => a.logicalName === 'fs_room');
      expect(room?.metadataId).toBe(id);
    } finally {
      await client.close();
      await gateway.close();
    }
  });
});
