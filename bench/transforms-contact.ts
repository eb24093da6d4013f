/**
 * A contact mapping with 25 target fields, written with one call per step, for bench/transforms.ts. Value maps as the compiler would build them from spec/valuemaps.
 */
import * as t from '../runtime/transforms/index.ts';
import type { PhRecord } from '../sandbox/practicehub/index.ts';

const L = 'Europe/London';
const D = 'drop_with_flag';

/** The care plan status choice map. */
export const carePlan: t.ValueMap = {
  name: 'care_plan_status',
  entries: new Map<string, number | string | null>([
    ['none', null],
    ['active', 100000000],
    ['paused', 100000001],
    ['completed', 100000002],
  ]),
  unmapped: D,
  caseSensitive: false,
};

/** The preferred contact method choices map. */
export const contactMethods: t.ValueMap = {
  name: 'preferred_contact_method',
  entries: new Map([
    ['phone', 100000000],
    ['sms', 100000001],
    ['email', 100000002],
    ['post', 100000003],
  ]),
  unmapped: D,
  caseSensitive: false,
};

const sexes: t.ValueMap = {
  name: 'sex',
  entries: new Map([
    ['male', 1],
    ['female', 2],
  ]),
  unmapped: D,
  caseSensitive: false,
};

/** One PracticeHub patient as a Dataverse contact payload. */
export function contact(r: PhRecord, issues: t.Issues): Record<string, unknown> {
  const cp = r.custom_properties as Record<string, unknown>;
  const text = (v: unknown, max: number, column: string) => t.truncate(t.trim(v), max, true, issues, column);
  return {
    fs_practicehubid: t.toText(r.id),
    firstname: t.truncate(t.stripControl(t.trim(r.first_name)), 50, true, issues, 'firstname'),
    lastname: t.truncate(t.stripControl(t.trim(r.last_name)), 50, true, issues, 'lastname'),
    middlename: t.truncate(t.nullIfEmpty(t.trim(r.preferred_name)), 50, true, issues, 'middlename'),
    salutation: text(r.title, 100, 'salutation'),
    fullname: `${t.templateValue(r.first_name)} ${t.templateValue(r.last_name)}`,
    birthdate: t.dateOnly(r.date_of_birth, L, D, issues, 'birthdate'),
    gendercode: t.mapValue(r.sex, sexes, issues, 'gendercode'),
    emailaddress1: t.email(t.lowercase(t.trim(r.email)), D, 100, issues, 'emailaddress1'),
    mobilephone: t.phone(r.phone_mobile, 'GB', 'keep_with_flag', 50, issues, 'mobilephone'),
    telephone1: t.phone(r.phone_home, 'GB', 'keep_with_flag', 50, issues, 'telephone1'),
    address1_line1: text(r.address_line_1, 250, 'address1_line1'),
    address1_line2: text(r.address_line_2, 250, 'address1_line2'),
    address1_city: t.truncate(t.titlecase(t.trim(r.city)), 80, true, issues, 'address1_city'),
    address1_stateorprovince: text(r.state, 50, 'address1_stateorprovince'),
    address1_postalcode: t.truncate(t.uppercase(t.trim(r.postcode)), 20, true, issues, 'address1_postalcode'),
    address1_country: t.truncate(
      t.withDefault(t.trim(r.country), 'United Kingdom'),
      80,
      true,
      issues,
      'address1_country',
    ),
    jobtitle: t.truncate(t.collapseWhitespace(t.trim(r.occupation)), 100, true, issues, 'jobtitle'),
    description: t.truncate(t.stripControl(r.notes), 2000, true, issues, 'description'),
    fs_referraldate: t.dateOnly(r.referral_date, L, D, issues, 'fs_referraldate'),
    fs_allergyflag: t.toBoolean(cp?.allergy_flag, issues, 'fs_allergyflag'),
    fs_careplanstatus: t.mapValue(cp?.care_plan_status, carePlan, issues, 'fs_careplanstatus'),
    fs_contactmethods: t.multiMap(
      cp?.preferred_contact_method,
      contactMethods,
      'choices',
      ',',
      issues,
      'fs_contactmethods',
    ),
    fs_painscore: t.toDecimal(cp?.pain_score, 1, issues, 'fs_painscore'),
    overriddencreatedon: t.dateTime(r.created_at, L, D, issues, 'overriddencreatedon'),
  };
}
