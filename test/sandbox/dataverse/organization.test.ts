import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from './helpers.ts';

/** The organization table's one row, as PA`attachment-annotation-files` reads maxuploadfilesize from it. */
describe('dataverse sandbox: organizations', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ maxUploadFileSize: 1234567 });
  });
  afterAll(() => h.close());

  it('answers the attachment limit it enforces, in the organization row', async () => {
    const r = await h.call('GET', 'organizations?$select=maxuploadfilesize');
    expect(r.status).toBe(200);
    expect(r.json.value).toHaveLength(1);
    expect(r.json.value[0].maxuploadfilesize).toBe(1234567);
    expect(r.json.value[0].organizationid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a column it does not serve, and writes', async () => {
    const unknown = await h.call('GET', 'organizations?$select=name');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toContain("Could not find a property named 'name'");
    const write = await h.call('POST', 'organizations', { body: { maxuploadfilesize: 1 } });
    expect(write.status).toBe(405);
  });
});
