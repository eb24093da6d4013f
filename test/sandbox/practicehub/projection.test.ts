import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { get, list, start } from './helpers.ts';

// reference practicehub.md, sandbox model "Projection": `fields=a,b,c`, an extension, off unless the
// sandbox is started with it; Documented "projection": no field projection is documented.
describe('PracticeHub sandbox: fields= projection', () => {
  let on: PracticeHubSandbox;
  let off: PracticeHubSandbox;
  beforeAll(async () => {
    [on, off] = await Promise.all([start({ projection: true }), start()]);
  });
  afterAll(async () => {
    await Promise.all([on.close(), off.close()]);
  });

  it('projects list records to the asked fields plus id when enabled', async () => {
    const body = await list(on, '/patients?fields=first_name,email,no_such_field&page_size=5');
    expect(body.data).toHaveLength(5);
    for (const record of body.data) expect(Object.keys(record)).toEqual(['id', 'first_name', 'email']);
    const full = [...on.records('patients')].slice(0, 5);
    expect(body.data).toEqual(full.map((r) => ({ id: r.id, first_name: r.first_name, email: r.email })));
  });

  it('projects a single record too', async () => {
    const [first] = on.records('clinics');
    const res = await get(on, `/clinics/${first!.id}?fields=name`);
    expect(await res.json()).toEqual({ id: first!.id, name: first!.name });
  });

  it('ignores fields= silently when disabled, like any unknown parameter', async () => {
    const body = await list(off, '/patients?fields=first_name&page_size=2');
    expect(Object.keys(body.data[0]!)).toContain('last_name');
    expect(Object.keys(body.data[0]!).length).toBeGreaterThan(20);
  });
});
