import { randomUUID } from 'node:crypto';
import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import { type ApiRequest, type ApiResponse, emptyResponse, jsonResponse } from '../http.ts';
import type { KeyPredicate, Segment } from '../odata/path.ts';
import { parseQueryOptions } from '../odata/query.ts';
import { parseJsonObject } from '../records/payload.ts';
import { createColumn, createKey, createRelationship, createTable, reactivateKey } from './define.ts';
import { updatedColumn } from './define-column.ts';
import { insertOptionValue, updateOptionValue } from './option-values.ts';
import { parseExpand, queryJson, selectJson } from './query.ts';
import {
  attributeJson,
  attributeTypeName,
  entityJson,
  keyJson,
  optionSetJson,
  relationshipJson,
} from './serialize.ts';
import type { ColumnMeta, TableMeta } from './types.ts';

type Json = Record<string, unknown>;

/** Names of the metadata resources (PA`webapi/use-web-api-metadata`). */
export const METADATA_SEGMENTS = new Set([
  'EntityDefinitions',
  'RelationshipDefinitions',
  'GlobalOptionSetDefinitions',
  'PublishXml',
  'PublishAllXml',
  'UpdateOptionValue',
  'InsertOptionValue',
  'ReactivateEntityKey',
]);

const notFound = Errors.metadataNotFound;

/** `(LogicalName='x')` or `(<MetadataId>)`. */
function byKey<T extends { metadataId: string }>(
  key: KeyPredicate,
  find: (name: string) => T | undefined,
  all: () => T[],
  what: string,
): T {
  if (key.kind === 'single' && key.value.type === 'guid') {
    const id = key.value.value;
    const found = all().find((x) => x.metadataId === id);
    if (!found) throw notFound(what, id);
    return found;
  }
  if (
    key.kind === 'named' &&
    key.parts.length === 1 &&
    key.parts[0]![0] === 'LogicalName' &&
    key.parts[0]![1].type === 'string'
  ) {
    const name = key.parts[0]![1].value;
    const found = find(name);
    if (!found) throw notFound(what, name);
    return found;
  }
  throw Errors.querySyntax(`The key of ${what} must be its MetadataId or LogicalName='…'.`);
}

function relationships(ctx: Ctx, table: TableMeta): Json[] {
  const out: Json[] = [];
  for (const n of table.navs.values()) {
    for (const t of n.targets) out.push(relationshipJson(table, n, t, ctx.state.catalog.table(t)));
  }
  return out;
}

function oneToMany(ctx: Ctx, table: TableMeta): Json[] {
  const out: Json[] = [];
  for (const other of ctx.state.catalog.all()) {
    for (const n of other.navs.values()) {
      if (n.targets.includes(table.def.logicalName))
        out.push(relationshipJson(other, n, table.def.logicalName, table));
    }
  }
  return out;
}

function entityWithExpand(ctx: Ctx, table: TableMeta, req: ApiRequest): Json {
  const options = parseQueryOptions(req.query);
  const [json] = selectJson([entityJson(table)], options.select, 'EntityMetadata');
  for (const item of parseExpand(options.expand)) {
    const source =
      item.name === 'Attributes'
        ? [...table.columns.values()].map((c) => attributeJson(table, c))
        : item.name === 'Keys'
          ? table.keys.map((k) => keyJson(table, k))
          : item.name === 'ManyToOneRelationships'
            ? relationships(ctx, table)
            : item.name === 'OneToManyRelationships'
              ? oneToMany(ctx, table)
              : undefined;
    if (!source) throw Errors.propertyNotFound(item.name, 'EntityMetadata');
    json![item.name] = selectJson(
      source,
      item.select,
      item.name === 'Keys' ? 'EntityKeyMetadata' : 'AttributeMetadata',
    );
  }
  return json!;
}

function castFilter(segment: Segment | undefined): string | undefined {
  if (!segment) return undefined;
  const m = /^Microsoft\.Dynamics\.CRM\.(\w+AttributeMetadata)$/.exec(segment.name);
  if (!m) throw Errors.resourceNotFound(segment.name);
  return m[1];
}

function attributes(
  ctx: Ctx,
  table: TableMeta,
  req: ApiRequest,
  rest: readonly Segment[],
  solution?: string,
): ApiResponse {
  const seg = rest[0]!;
  const base = `${ctx.apiUrl}$metadata#EntityDefinitions(${table.metadataId})/Attributes`;
  if (!seg.key) {
    if (req.method === 'POST') {
      const id = createColumn(ctx, table, parseJsonObject(req.body, 'Attributes'), solution);
      return emptyResponse(204, {
        'OData-EntityId': `${ctx.apiUrl}EntityDefinitions(${table.metadataId})/Attributes(${id})`,
      });
    }
    const cast = castFilter(rest[1]);
    const columns = [...table.columns.values()].filter((c) => !cast || attributeTypeName(c) === cast);
    const value = queryJson(
      columns.map((c) => attributeJson(table, c)),
      parseQueryOptions(req.query),
      'AttributeMetadata',
    );
    return jsonResponse(200, { '@odata.context': `${base}${rest[1] ? `/${rest[1].name}` : ''}`, value });
  }
  const column = byKey<ColumnMeta>(
    seg.key,
    (n) => table.columns.get(n),
    () => [...table.columns.values()],
    'an attribute',
  );
  if (req.method === 'PUT') {
    if (rest[1]) throw Errors.noHttpResource(req.url);
    const changed = updatedColumn(column, attributeTypeName(column), parseJsonObject(req.body, 'Attributes'));
    table.columns.set(column.logicalName, changed);
    return emptyResponse(204);
  }
  const cast = castFilter(rest[1]);
  if (cast && attributeTypeName(column) !== cast) throw Errors.resourceNotFound(rest[1]!.name);
  const options = parseQueryOptions(req.query);
  const [json] = selectJson([attributeJson(table, column)], options.select, 'AttributeMetadata');
  for (const item of parseExpand(options.expand)) {
    if (item.name !== 'OptionSet' && item.name !== 'GlobalOptionSet')
      throw Errors.propertyNotFound(item.name, cast ?? 'AttributeMetadata');
    json![item.name] = item.name === 'OptionSet' ? optionSetJson(table, column) : null;
  }
  return jsonResponse(200, {
    '@odata.context': `${base}${rest[1] ? `/${rest[1].name}` : ''}/$entity`,
    ...json,
  });
}

function keys(ctx: Ctx, table: TableMeta, req: ApiRequest, seg: Segment, solution?: string): ApiResponse {
  if (!seg.key && req.method === 'POST') {
    const key = createKey(ctx, table, parseJsonObject(req.body, 'Keys'), solution);
    return emptyResponse(204, {
      'OData-EntityId': `${ctx.apiUrl}EntityDefinitions(${table.metadataId})/Keys(${key.metadataId})`,
    });
  }
  const context = `${ctx.apiUrl}$metadata#EntityDefinitions(${table.metadataId})/Keys`;
  if (!seg.key) {
    const value = queryJson(
      table.keys.map((k) => keyJson(table, k)),
      parseQueryOptions(req.query),
      'EntityKeyMetadata',
    );
    return jsonResponse(200, { '@odata.context': context, value });
  }
  const key = byKey(
    seg.key,
    (n) => table.keys.find((k) => k.logicalName === n),
    () => table.keys,
    'an entity key',
  );
  return jsonResponse(200, { '@odata.context': `${context}/$entity`, ...keyJson(table, key) });
}

/**
 * EntityDefinitions, RelationshipDefinitions, GlobalOptionSetDefinitions, PublishXml, PublishAllXml,
 * InsertOptionValue, UpdateOptionValue and ReactivateEntityKey.
 */
export function handleMetadata(ctx: Ctx, req: ApiRequest, segments: readonly Segment[]): ApiResponse {
  const solution = req.headers['mscrm.solutionuniquename'];
  const [first, second] = segments;
  const name = first!.name;
  if (name === 'InsertOptionValue') {
    if (req.method !== 'POST' || segments.length > 1 || first!.key) throw Errors.noHttpResource(req.url);
    const value = insertOptionValue(ctx, parseJsonObject(req.body, name));
    return jsonResponse(200, {
      '@odata.context': `${ctx.apiUrl}$metadata#Microsoft.Dynamics.CRM.InsertOptionValueResponse`,
      NewOptionValue: value,
    });
  }
  if (name === 'ReactivateEntityKey') {
    if (req.method !== 'POST' || segments.length > 1 || first!.key) throw Errors.noHttpResource(req.url);
    reactivateKey(ctx, parseJsonObject(req.body, name));
    return emptyResponse(204);
  }
  if (name === 'UpdateOptionValue') {
    if (req.method !== 'POST' || segments.length > 1 || first!.key) throw Errors.noHttpResource(req.url);
    updateOptionValue(ctx, parseJsonObject(req.body, name));
    return emptyResponse(204);
  }
  if (name === 'PublishXml' || name === 'PublishAllXml') {
    // Publishing (reference §5.3): new columns are usable at once, so publishing only validates its input.
    if (req.method !== 'POST') throw Errors.noHttpResource(req.url);
    if (name === 'PublishXml') {
      const xml = parseJsonObject(req.body, name).ParameterXml;
      if (typeof xml !== 'string' || !xml.includes('<importexportxml>')) {
        throw Errors.invalidArgument(
          "PublishXml requires ParameterXml with an '<importexportxml>' document.",
        );
      }
    }
    return emptyResponse(204);
  }
  if (name === 'GlobalOptionSetDefinitions') {
    return jsonResponse(200, {
      '@odata.context': `${ctx.apiUrl}$metadata#GlobalOptionSetDefinitions`,
      value: [],
    });
  }
  if (name === 'RelationshipDefinitions') {
    if (req.method === 'POST') {
      createRelationship(ctx, parseJsonObject(req.body, name), solution);
      return emptyResponse(204, {
        'OData-EntityId': `${ctx.apiUrl}RelationshipDefinitions(${randomUUID()})`,
      });
    }
    const all = ctx.state.catalog.all().flatMap((t) => relationships(ctx, t));
    return jsonResponse(200, {
      '@odata.context': `${ctx.apiUrl}$metadata#RelationshipDefinitions`,
      value: queryJson(all, parseQueryOptions(req.query), 'RelationshipMetadataBase'),
    });
  }
  const catalog = ctx.state.catalog;
  if (!first!.key) {
    if (segments.length > 1) throw Errors.resourceNotFound(second!.name);
    if (req.method === 'POST') {
      const table = createTable(ctx, parseJsonObject(req.body, name), solution);
      return emptyResponse(204, { 'OData-EntityId': `${ctx.apiUrl}EntityDefinitions(${table.metadataId})` });
    }
    const value = queryJson(catalog.all().map(entityJson), parseQueryOptions(req.query), 'EntityMetadata');
    return jsonResponse(200, { '@odata.context': `${ctx.apiUrl}$metadata#EntityDefinitions`, value });
  }
  const table = byKey<TableMeta>(
    first!.key,
    (n) => catalog.table(n),
    () => catalog.all(),
    'an entity',
  );
  if (!second) {
    if (req.method !== 'GET') throw Errors.notImplemented(`${req.method} on EntityDefinitions`);
    return jsonResponse(200, {
      '@odata.context': `${ctx.apiUrl}$metadata#EntityDefinitions/$entity`,
      ...entityWithExpand(ctx, table, req),
    });
  }
  switch (second.name) {
    case 'Attributes':
      return attributes(ctx, table, req, segments.slice(1), solution);
    case 'Keys':
      return keys(ctx, table, req, second, solution);
    case 'ManyToOneRelationships':
      return jsonResponse(200, {
        '@odata.context': `${ctx.apiUrl}$metadata#RelationshipDefinitions`,
        value: queryJson(
          relationships(ctx, table),
          parseQueryOptions(req.query),
          'OneToManyRelationshipMetadata',
        ),
      });
    case 'OneToManyRelationships':
      return jsonResponse(200, {
        '@odata.context': `${ctx.apiUrl}$metadata#RelationshipDefinitions`,
        value: queryJson(
          oneToMany(ctx, table),
          parseQueryOptions(req.query),
          'OneToManyRelationshipMetadata',
        ),
      });
    default:
      throw Errors.resourceNotFound(second.name);
  }
}
