import type { Ctx } from '../context.ts';
import { Errors } from '../errors.ts';
import { bigint, bool, dbl, dec, dt, int, memo, money, pick, str } from './columns.ts';
import { checkSchemaName, labelText, optionValuePrefix } from './names.ts';
import type { ColumnDef, ColumnMeta, DateBehavior, OptionDef, RequiredLevel } from './types.ts';

type Body = Record<string, unknown>;

const STRING_FORMATS = new Set([
  'Email',
  'Text',
  'TextArea',
  'Url',
  'Phone',
  'TickerSymbol',
  'PhoneticGuide',
  'VersionNumber',
  'Json',
  'RichText',
]);

function num(body: Body, name: string, fallback: number): number {
  const v = body[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw Errors.invalidArgument(`${name} must be a number.`);
  return v;
}

function within(name: string, v: number, min: number, max: number): number {
  if (v < min || v > max)
    throw Errors.invalidArgument(`${name} must be between ${min} and ${max}; found ${v}.`);
  return v;
}

/** Options of a choice column; values default to the publisher's option value prefix × 10,000 + n. */
function readOptions(body: Body, base: number): OptionDef[] {
  const set = body.OptionSet as { Options?: unknown } | undefined;
  if (!Array.isArray(set?.Options) || set.Options.length === 0) {
    throw Errors.invalidArgument('A choice column needs OptionSet.Options with at least one option.');
  }
  const seen = new Set<number>();
  return set.Options.map((o, i) => {
    const raw = (o as { Value?: unknown }).Value;
    const value = raw === undefined || raw === null ? base + i : raw;
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw Errors.invalidArgument('Option values must be integers.');
    if (seen.has(value)) throw Errors.invalidArgument(`The option value ${value} is used twice.`);
    seen.add(value);
    return { value, label: labelText((o as { Label?: unknown }).Label) ?? String(value) };
  });
}

/**
 * A new column from a `POST …/Attributes` body (reference §5.1, PA`webapi/create-update-column-definitions-
 * using-web-api`). Limits from the training module cited there: text up to 4,000, multiline up to
 * 1,048,576, decimal precision up to 10, float up to 5; money ±922,337,203,685,477 with precision up to 4. DateOnly behavior requires Format DateOnly.
 * Custom columns cannot be SystemRequired (PA`entity-attribute-metadata`).
 */
export function columnFromBody(ctx: Ctx, body: Body, solution: string | undefined): ColumnDef {
  const type = String(body['@odata.type'] ?? '').replace(/^#?Microsoft\.Dynamics\.CRM\./, '');
  const schemaName = body.SchemaName;
  const prefix = checkSchemaName(ctx, schemaName, 'Attribute', solution);
  const logicalName = String(schemaName).toLowerCase();
  const required = ((body.RequiredLevel as { Value?: string } | undefined)?.Value ?? 'None') as RequiredLevel;
  if (!['None', 'ApplicationRequired', 'Recommended', 'SystemRequired'].includes(required)) {
    throw Errors.invalidArgument(`'${required}' is not a valid RequiredLevel.`);
  }
  if (required === 'SystemRequired') throw Errors.invalidArgument('Custom columns cannot be SystemRequired.');
  const extra = {
    schemaName: String(schemaName),
    displayName: labelText(body.DisplayName) ?? String(schemaName),
    requiredLevel: required,
    isCustom: true,
  };
  switch (type) {
    case 'StringAttributeMetadata': {
      const format = (body.FormatName as { Value?: string } | undefined)?.Value ?? 'Text';
      if (!STRING_FORMATS.has(format))
        throw Errors.invalidArgument(`'${format}' is not a valid string FormatName.`);
      const max = within('MaxLength', num(body, 'MaxLength', 100), 1, 4000);
      return str(logicalName, max, required, {
        ...extra,
        formatName: format,
        ...(body.IsPrimaryName === true ? { isPrimaryName: true } : {}),
      });
    }
    case 'MemoAttributeMetadata':
      return memo(logicalName, within('MaxLength', num(body, 'MaxLength', 2000), 1, 1048576), extra);
    case 'IntegerAttributeMetadata': {
      const min = within('MinValue', num(body, 'MinValue', -2147483648), -2147483648, 2147483647);
      const max = within('MaxValue', num(body, 'MaxValue', 2147483647), min, 2147483647);
      return int(logicalName, min, max, extra);
    }
    case 'BigIntAttributeMetadata':
      return bigint(logicalName, extra);
    case 'DecimalAttributeMetadata': {
      const precision = within('Precision', num(body, 'Precision', 2), 0, 10);
      const min = within('MinValue', num(body, 'MinValue', -100000000000), -100000000000, 100000000000);
      const max = within('MaxValue', num(body, 'MaxValue', 100000000000), min, 100000000000);
      return dec(logicalName, min, max, precision, extra);
    }
    case 'DoubleAttributeMetadata': {
      const precision = within('Precision', num(body, 'Precision', 2), 0, 5);
      const min = within('MinValue', num(body, 'MinValue', 0), -100000000000, 100000000000);
      const max = within('MaxValue', num(body, 'MaxValue', 1000000000), min, 100000000000);
      return dbl(logicalName, min, max, precision, extra);
    }
    case 'MoneyAttributeMetadata': {
      const precision = within('Precision', num(body, 'Precision', 2), 0, 4);
      const source = within('PrecisionSource', num(body, 'PrecisionSource', 2), 0, 2) as 0 | 1 | 2;
      const min = within(
        'MinValue',
        num(body, 'MinValue', -922337203685477),
        -922337203685477,
        922337203685477,
      );
      const max = within('MaxValue', num(body, 'MaxValue', 922337203685477), min, 922337203685477);
      return money(logicalName, {
        ...extra,
        precision,
        precisionSource: source,
        minValue: min,
        maxValue: max,
      });
    }
    case 'BooleanAttributeMetadata': {
      // The labels of its two options, as sent in OptionSet.TrueOption and FalseOption (BooleanOptionSet-
      // Metadata, PA`webapi/create-update-column-definitions-using-web-api`, "Create a Boolean column").
      const set = body.OptionSet as { TrueOption?: Body; FalseOption?: Body } | undefined;
      const labels = {
        true: labelText(set?.TrueOption?.Label) ?? 'Yes',
        false: labelText(set?.FalseOption?.Label) ?? 'No',
      };
      return bool(logicalName, body.DefaultValue === true, { ...extra, booleanLabels: labels });
    }
    case 'DateTimeAttributeMetadata': {
      const format = (body.Format ?? 'DateAndTime') as 'DateOnly' | 'DateAndTime';
      if (format !== 'DateOnly' && format !== 'DateAndTime')
        throw Errors.invalidArgument(`'${format}' is not a valid DateTime Format.`);
      const behavior = ((body.DateTimeBehavior as { Value?: string } | undefined)?.Value ??
        'UserLocal') as DateBehavior;
      if (!['UserLocal', 'DateOnly', 'TimeZoneIndependent'].includes(behavior)) {
        throw Errors.invalidArgument(`'${behavior}' is not a valid DateTimeBehavior.`);
      }
      if (behavior === 'DateOnly' && format !== 'DateOnly') {
        throw Errors.invalidArgument('A column with DateTimeBehavior DateOnly must have Format DateOnly.');
      }
      return dt(logicalName, behavior, format, extra);
    }
    case 'PicklistAttributeMetadata':
    case 'MultiSelectPicklistAttributeMetadata': {
      const options = readOptions(body, optionValuePrefix(ctx, prefix) * 10000);
      const column = pick(logicalName, options, { ...extra, optionSetName: logicalName });
      return type === 'PicklistAttributeMetadata' ? column : { ...column, type: 'MultiSelectPicklist' };
    }
    case 'LookupAttributeMetadata':
      throw Errors.invalidArgument(
        'Lookup columns are created through RelationshipDefinitions (OneToManyRelationshipMetadata).',
      );
    default:
      throw Errors.invalidArgument(
        `'${body['@odata.type'] ?? ''}' is not a column type the Web API can create.`,
      );
  }
}

/** Bounds of MinValue/MaxValue by column type (the limits columnFromBody creates within). */
const RANGE_LIMITS: Partial<Record<ColumnDef['type'], readonly [number, number]>> = {
  Integer: [-2147483648, 2147483647],
  Decimal: [-100000000000, 100000000000],
  Double: [-100000000000, 100000000000],
  Money: [-922337203685477, 922337203685477],
};

/**
 * A column changed by `PUT …/Attributes(LogicalName='x')` with its whole definition (PA`webapi/create-
 * update-column-definitions-using-web-api`, "Update a column"). The sandbox takes MaxLength, MinValue,
 * MaxValue, a date-time column's Format and RequiredLevel from the body; its type cannot change.
 */
export function updatedColumn(column: ColumnMeta, type: string, body: Body): ColumnMeta {
  const cast = String(body['@odata.type'] ?? '').replace(/^#?Microsoft\.Dynamics\.CRM\./, '');
  if (cast !== type)
    throw Errors.invalidArgument(
      `The column ${column.logicalName} is a ${type}; its type cannot change to '${cast}'.`,
    );
  const required = ((body.RequiredLevel as { Value?: string } | undefined)?.Value ??
    column.requiredLevel) as RequiredLevel;
  if (!['None', 'ApplicationRequired', 'Recommended', 'SystemRequired'].includes(required))
    throw Errors.invalidArgument(`'${required}' is not a valid RequiredLevel.`);
  if (required === 'SystemRequired' && column.isCustom)
    throw Errors.invalidArgument('Custom columns cannot be SystemRequired.');
  let changed: ColumnMeta = { ...column, requiredLevel: required };
  if (column.type === 'String' || column.type === 'Memo') {
    const limit = column.type === 'String' ? 4000 : 1048576;
    changed = {
      ...changed,
      maxLength: within('MaxLength', num(body, 'MaxLength', column.maxLength ?? 100), 1, limit),
    };
  }
  if (column.type === 'String') {
    // A text column's format may change through the API (PA`data-type-format-conversions`: "You can
    // specify the format of the column using either the solution explorer or by API operations").
    const format = (body.FormatName as { Value?: string } | undefined)?.Value ?? column.formatName ?? 'Text';
    if (!STRING_FORMATS.has(format))
      throw Errors.invalidArgument(`'${format}' is not a valid string FormatName.`);
    changed = { ...changed, formatName: format };
  }
  if (column.type === 'DateTime') {
    // Format is the display format and may change; DateOnly behaviour keeps Format DateOnly
    // (PA`behavior-format-date-time-attribute`).
    const format = (body.Format ?? column.dateFormat ?? 'DateAndTime') as 'DateOnly' | 'DateAndTime';
    if (format !== 'DateOnly' && format !== 'DateAndTime')
      throw Errors.invalidArgument(`'${String(format)}' is not a valid DateTime Format.`);
    if (column.behavior === 'DateOnly' && format !== 'DateOnly')
      throw Errors.invalidArgument('A column with DateTimeBehavior DateOnly must have Format DateOnly.');
    changed = { ...changed, dateFormat: format };
  }
  const limits = RANGE_LIMITS[column.type];
  if (limits) {
    const min = within('MinValue', num(body, 'MinValue', column.minValue ?? limits[0]), limits[0], limits[1]);
    const max = within('MaxValue', num(body, 'MaxValue', column.maxValue ?? limits[1]), min, limits[1]);
    changed = { ...changed, minValue: min, maxValue: max };
  }
  return changed;
}
