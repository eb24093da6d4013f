import { describe, expect, it } from 'vitest';
import { DataverseError } from '../../../sandbox/dataverse/errors.ts';
import { compileFilter, type Member, type ValueKind } from '../../../sandbox/dataverse/odata/evaluate.ts';
import { parseFilter } from '../../../sandbox/dataverse/odata/filter.ts';

type Row = Record<string, unknown>;

const KINDS: Record<string, [ValueKind, string]> = {
  name: ['string', 'Edm.String'],
  n: ['number', 'Edm.Int32'],
  flag: ['boolean', 'Edm.Boolean'],
  at: ['datetime', 'Edm.DateTimeOffset'],
  day: ['date', 'Edm.Date'],
  _ref_value: ['guid', 'Edm.Guid'],
  tags: ['string', 'Edm.String'],
};

const resolve = (path: readonly string[]): Member<Row> => {
  const name = path.join('/');
  const kind = KINDS[name];
  if (!kind) throw new DataverseError(400, '0x0', `Could not find a property named '${name}'`);
  return { kind: kind[0], edm: kind[1], get: (row) => row[name] ?? null };
};

const G1 = '11111111-1111-1111-1111-111111111111';
const rows: Row[] = [
  {
    id: 1,
    name: "O'Brien",
    n: 5,
    flag: true,
    at: Date.parse('2024-03-01T10:00:00Z'),
    day: '2024-03-01',
    _ref_value: G1,
    tags: '1,3',
  },
  {
    id: 2,
    name: 'alpha',
    n: 10,
    flag: false,
    at: Date.parse('2023-01-01T00:00:00Z'),
    day: '2023-01-01',
    _ref_value: null,
    tags: '2',
  },
  { id: 3, name: null, n: null, flag: null, at: null, day: null, _ref_value: null, tags: null },
];

const ids = (filter: string) => rows.filter(compileFilter(parseFilter(filter), resolve)).map((r) => r.id);

/** `$filter` semantics, table-driven: PA`webapi/query/filter-rows` plus SQL's three-valued logic. */
describe('dataverse sandbox: $filter parser and evaluator', () => {
  it.each([
    ["name eq 'O''Brien'", [1]],
    ["name eq 'ALPHA'", [2]],
    ["name ne 'alpha'", [1]],
    ['name eq null', [3]],
    ['name ne null', [1, 2]],
    ['n gt 5', [2]],
    ['n ge 5 and n le 10', [1, 2]],
    ['not (n eq 5)', [2]],
    ['n eq 5 or flag eq false', [1, 2]],
    ['flag eq true', [1]],
    ['at ge 2024-01-01', [1]],
    ['at lt 2024-01-01T00:00:00Z', [2]],
    ['day eq 2023-01-01', [2]],
    [`_ref_value eq ${G1}`, [1]],
    ["contains(name,'BRI')", [1]],
    ["startswith(name,'al') or endswith(name,'en')", [1, 2]],
    ["Microsoft.Dynamics.CRM.In(PropertyName='n',PropertyValues=['5','7'])", [1]],
    ["Microsoft.Dynamics.CRM.NotIn(PropertyName='name',PropertyValues=['alpha'])", [1]],
    ["Microsoft.Dynamics.CRM.ContainValues(PropertyName='tags',PropertyValues=['3'])", [1]],
  ])('%s → %j', (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it.each([
    ["name eq 'x' and", /^Syntax error at position 15 in/],
    ['n eq', /^Syntax error at position 4 in/],
    ["name eq 'unterminated", /^Syntax error/],
    ["Name eq 'x'", /^Could not find a property named 'Name'/],
    ["n eq 'five'", /Found operand types 'Edm.Int32' and 'Edm.String' for operator kind 'Equal'/],
    [`_ref_value eq '${G1}'`, /Found operand types 'Edm.Guid' and 'Edm.String'/],
    ['contains(n,5)', /No function signature for the function with name 'contains'/],
    [
      "Microsoft.Dynamics.CRM.Between(PropertyName='n',PropertyValues=['1','2'])",
      /not supported by the sandbox/,
    ],
  ])('rejects %s', (filter, message) => {
    expect(() => ids(filter)).toThrow(message);
  });
});
