import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityId, type Harness, harness } from './helpers.ts';

/** Reading data: PA`webapi/query/*` pages and the troubleshoot-client-errors page. */
describe('dataverse sandbox: queries', () => {
  let h: Harness;
  const accounts: string[] = [];
  beforeAll(async () => {
    h = await harness();
    for (const [i, name] of [
      'Alpha Clinic',
      "O'Brien Care",
      'beta clinic',
      'Gamma Health',
      'Delta',
    ].entries()) {
      const r = await h.call('POST', 'accounts', {
        body: {
          name,
          accountnumber: `AC-${i}`,
          numberofemployees: i * 10,
          ...(i === 4 ? {} : { telephone1: `555-${i}` }),
        },
      });
      accounts.push(entityId(r));
    }
    await h.call('POST', 'contacts', {
      body: {
        firstname: 'Ann',
        lastname: 'Lee',
        'parentcustomerid_account@odata.bind': `/accounts(${accounts[0]})`,
      },
    });
  });
  afterAll(() => h.close());

  it('answers 404 0x8006088a for a wrong-case entity set (troubleshoot Web API client errors)', async () => {
    const r = await h.call('GET', 'Account');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      error: { code: '0x8006088a', message: "Resource not found for the segment 'Account'." },
    });
  });

  it('answers 400 for a wrong-case $select property (troubleshoot Web API client errors)', async () => {
    const r = await h.call('GET', 'accounts?$select=Name');
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      error: {
        code: '0x0',
        message: "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.account'.",
      },
    });
  });

  it('answers 404 "No HTTP resource" for POST on the WhoAmI function (troubleshoot Web API client errors)', async () => {
    const r = await h.call('POST', 'WhoAmI', { body: {} });
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('');
    expect(r.json.error.message).toBe(
      `No HTTP resource was found that matches the request URI '${h.sb.apiUrl}WhoAmI'.`,
    );
  });

  it('returns @odata.context, @odata.etag and the primary key with $select (select-columns)', async () => {
    const r = await h.call('GET', `accounts(${accounts[0]})?$select=name`);
    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toBe(`${h.sb.apiUrl}$metadata#accounts(name)/$entity`);
    expect(r.json['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(Object.keys(r.json).sort()).toEqual(['@odata.context', '@odata.etag', 'accountid', 'name']);
    expect(r.headers.get('OData-Version')).toBe('4.0');
  });

  it('filters with eq, and/or/not, parentheses, functions, null and escaped quotes (filter-rows)', async () => {
    const names = async (filter: string) => {
      const r = await h.call(
        'GET',
        `accounts?$select=name&$filter=${encodeURIComponent(filter)}&$orderby=name`,
      );
      expect(r.status, r.text).toBe(200);
      return r.json.value.map((v: { name: string }) => v.name);
    };
    expect(await names("name eq 'O''Brien Care'")).toEqual(["O'Brien Care"]);
    expect(await names("contains(name,'CLINIC')")).toEqual(['Alpha Clinic', 'beta clinic']);
    expect(await names("startswith(name,'g') or endswith(name,'care')")).toEqual([
      'Gamma Health',
      "O'Brien Care",
    ]);
    expect(await names('numberofemployees ge 20 and not (numberofemployees eq 30)')).toEqual([
      'beta clinic',
      'Delta',
    ]);
    expect(await names('telephone1 eq null')).toEqual(['Delta']);
    expect(await names("telephone1 ne null and (name eq 'Delta' or accountnumber eq 'AC-1')")).toEqual([
      "O'Brien Care",
    ]);
  });

  it('filters lookups as _x_value with GUID literals and follows navigation paths', async () => {
    const r = await h.call(
      'GET',
      `contacts?$select=fullname&$filter=_parentcustomerid_value eq ${accounts[0]}`,
    );
    expect(r.json.value.map((v: { fullname: string }) => v.fullname)).toEqual(['Ann Lee']);
    const nav = await h.call(
      'GET',
      `contacts?$select=fullname&$filter=${encodeURIComponent("parentcustomerid_account/name eq 'Alpha Clinic'")}`,
    );
    expect(nav.json.value).toHaveLength(1);
    const quoted = await h.call('GET', `contacts?$filter=_parentcustomerid_value eq '${accounts[0]}'`);
    expect(quoted.status).toBe(400);
    expect(quoted.json.error.message).toContain("Found operand types 'Edm.Guid' and 'Edm.String'");
  });

  it("filters a lookup with the In query function by the column's logical name, not as _x_value", async () => {
    const inFilter = (property: string) =>
      encodeURIComponent(
        `Microsoft.Dynamics.CRM.In(PropertyName='${property}',PropertyValues=['${accounts[0]}','${accounts[1]}'])`,
      );
    const r = await h.call(
      'GET',
      `contacts?$select=_parentcustomerid_value&$filter=${inFilter('parentcustomerid')}`,
    );
    expect(r.status).toBe(200);
    expect(r.json.value.length).toBeGreaterThan(0);
    for (const row of r.json.value) expect([accounts[0], accounts[1]]).toContain(row._parentcustomerid_value);
    const wrong = await h.call('GET', `contacts?$filter=${inFilter('_parentcustomerid_value')}`);
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toMatchObject({
      code: '0x80041103',
      message:
        "'contact' entity doesn't contain attribute with Name = '_parentcustomerid_value' and NameMapping = 'Logical'.",
    });
  });

  it('filters dates with date and date-time literals', async () => {
    const r = await h.call(
      'GET',
      `accounts?$select=name&$filter=createdon ge 2020-01-01 and createdon lt 2999-01-01T00:00:00Z`,
    );
    expect(r.status).toBe(200);
    expect(r.json.value).toHaveLength(5);
  });

  it('rejects an unknown $filter property and a syntax error', async () => {
    const unknown = await h.call('GET', `accounts?$filter=${encodeURIComponent("Name eq 'x'")}`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe(
      "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.account'.",
    );
    const syntax = await h.call('GET', `accounts?$filter=${encodeURIComponent("name eq 'x' and")}`);
    expect(syntax.status).toBe(400);
    expect(syntax.json.error.message).toMatch(/^Syntax error at position \d+/);
  });

  it('orders by several columns, ascending and descending (order-rows)', async () => {
    await h.call('POST', 'accounts', { body: { name: 'Delta', accountnumber: 'AC-9' } });
    const r = await h.call('GET', 'accounts?$select=name,accountnumber&$orderby=name desc,accountnumber asc');
    const rows = r.json.value.map(
      (v: { name: string; accountnumber: string }) => `${v.name}/${v.accountnumber}`,
    );
    expect(rows).toEqual([
      "O'Brien Care/AC-1",
      'Gamma Health/AC-3',
      'Delta/AC-4',
      'Delta/AC-9',
      'beta clinic/AC-2',
      'Alpha Clinic/AC-0',
    ]);
  });

  it('pages with odata.maxpagesize and an opaque @odata.nextLink until the end (page-results)', async () => {
    const seen: string[] = [];
    let url: string | undefined = 'accounts?$select=name&$orderby=name';
    let pages = 0;
    while (url) {
      const r = await h.call('GET', url, { headers: { Prefer: 'odata.maxpagesize=2' } });
      expect(r.status).toBe(200);
      expect(r.headers.get('Preference-Applied')).toBe('odata.maxpagesize=2');
      expect(r.json.value.length).toBeLessThanOrEqual(2);
      seen.push(...r.json.value.map((v: { name: string }) => v.name));
      url = r.json['@odata.nextLink'];
      if (url)
        expect(url).toMatch(
          /^http:\/\/127\.0\.0\.1:\d+\/api\/data\/v9\.2\/accounts\?\$select=name&\$orderby=name&\$skiptoken=/,
        );
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(5);
  });

  it('answers $top without a next link, ignores $top with maxpagesize, and rejects $skip', async () => {
    const top = await h.call('GET', 'accounts?$select=name&$top=2');
    expect(top.json.value).toHaveLength(2);
    expect(top.json['@odata.nextLink']).toBeUndefined();
    const both = await h.call('GET', 'accounts?$select=name&$top=1', {
      headers: { Prefer: 'odata.maxpagesize=4' },
    });
    expect(both.json.value).toHaveLength(4);
    const skip = await h.call('GET', 'accounts?$skip=2');
    expect(skip.status).toBe(400);
    expect(skip.json.error.message).toBe('The query parameter $skip is not supported');
  });

  it('returns @odata.count with $count=true, the totalrecordcount annotations and /$count (count-rows)', async () => {
    const filter = encodeURIComponent("contains(name,'clinic')");
    const r = await h.call('GET', `accounts?$select=name&$count=true&$filter=${filter}`, {
      headers: { Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.*"' },
    });
    expect(r.json['@odata.count']).toBe(2);
    expect(r.json['@Microsoft.Dynamics.CRM.totalrecordcount']).toBe(2);
    expect(r.json['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(false);
    const plain = await h.call('GET', `accounts/$count?$filter=${filter}`);
    expect(plain.headers.get('Content-Type')).toBe('text/plain');
    expect(plain.text).toBe('2');
  });

  it('adds formatted values and lookup annotations on request (compose-http-requests, request annotations)', async () => {
    const r = await h.call('GET', 'contacts?$select=_parentcustomerid_value,statecode,donotemail', {
      headers: { Prefer: 'odata.include-annotations="*"' },
    });
    const row = r.json.value[0];
    expect(r.headers.get('Preference-Applied')).toBe('odata.include-annotations="*"');
    expect(row['_parentcustomerid_value@OData.Community.Display.V1.FormattedValue']).toBe('Alpha Clinic');
    expect(row['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
    expect(row['_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty']).toBe(
      'parentcustomerid_account',
    );
    expect(row['statecode@OData.Community.Display.V1.FormattedValue']).toBe('Active');
    expect(row['donotemail@OData.Community.Display.V1.FormattedValue']).toBe('No');
    const plain = await h.call('GET', 'contacts?$select=statecode');
    expect(plain.json.value[0]).not.toHaveProperty('statecode@OData.Community.Display.V1.FormattedValue');
  });

  it('answers 404 0x80040217 for a missing record and 304 for an unchanged etag', async () => {
    const missing = '00000000-0000-0000-0000-000000000001';
    const r = await h.call('GET', `accounts(${missing})`);
    expect(r.status).toBe(404);
    expect(r.json.error).toEqual({
      code: '0x80040217',
      message: `account With Id = ${missing} Does Not Exist`,
    });
    const first = await h.call('GET', `accounts(${accounts[1]})?$select=name`);
    const again = await h.call('GET', `accounts(${accounts[1]})?$select=name`, {
      headers: { 'If-None-Match': first.json['@odata.etag'] },
    });
    expect(again.status).toBe(304);
  });

  it('serves WhoAmI with x-ms-dop-hint and rate-limit headers (send-parallel-requests, api-limits)', async () => {
    const r = await h.call('GET', 'WhoAmI');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-ms-dop-hint')).toBe('8');
    expect(Number(r.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests'))).toBeGreaterThan(5000);
    expect(Object.keys(r.json).sort()).toEqual([
      '@odata.context',
      'BusinessUnitId',
      'OrganizationId',
      'UserId',
    ]);
  });

  it('serves the seeded business unit, default team and currency', async () => {
    expect((await h.call('GET', 'businessunits')).json.value).toHaveLength(1);
    const teams = await h.call('GET', 'teams?$filter=isdefault eq true');
    expect(teams.json.value).toHaveLength(1);
    const usd = await h.call(
      'GET',
      "transactioncurrencies?$select=isocurrencycode&$filter=isocurrencycode eq 'USD'",
    );
    expect(usd.json.value).toHaveLength(1);
  });
});
