import {
  ACTIVE_INACTIVE,
  bool,
  dbl,
  dt,
  entityName,
  guid,
  int,
  lookup,
  memo,
  money,
  nav,
  opts,
  pick,
  READ_ONLY,
  stateColumns,
  str,
} from './columns.ts';
import { SYSTEM_TABLES } from './system.ts';
import { tableDef } from './table.ts';
import type { ColumnDef, TableDef } from './types.ts';

/**
 * The standard tables the sandbox serves, written to read like reference/dataverse.md §1 (REF pages of
 * Microsoft Learn: account, contact, appointment, annotation, systemuser, connection, connectionrole).
 * Columns not listed in the reference come from the same REF pages. The supporting tables (team,
 * business unit, currency, publisher, solution, sdk messages) are in `system.ts`.
 */

/** address1_* parts with the MaxLength of REF`account` (§1.1). address1_composite is computed, read-only. */
const address: ColumnDef[] = [
  str('address1_line1', 250),
  str('address1_line2', 250),
  str('address1_line3', 250),
  str('address1_city', 80),
  str('address1_stateorprovince', 50),
  str('address1_postalcode', 20),
  str('address1_country', 80),
  str('address1_county', 50),
  str('address1_name', 200),
  str('address1_postofficebox', 20),
  str('address1_telephone1', 50, 'None', { formatName: 'Phone' }),
  str('address1_fax', 50),
  dbl('address1_latitude', -90, 90, 5),
  dbl('address1_longitude', -180, 180, 5),
  memo('address1_composite', 1000, READ_ONLY),
];

const account = tableDef({
  logicalName: 'account',
  schemaName: 'Account',
  entitySetName: 'accounts',
  displayName: 'Account',
  displayCollectionName: 'Accounts',
  primaryId: 'accountid',
  primaryName: 'name',
  ownership: 'UserOwned',
  objectTypeCode: 1,
  hasNotes: true,
  columns: [
    str('name', 160, 'ApplicationRequired', { isPrimaryName: true }),
    str('accountnumber', 20),
    str('telephone1', 50, 'None', { formatName: 'Phone' }),
    str('telephone2', 50, 'None', { formatName: 'Phone' }),
    str('fax', 50),
    str('websiteurl', 200, 'None', { formatName: 'Url' }),
    str('emailaddress1', 100, 'None', { formatName: 'Email' }),
    memo('description', 2000),
    ...address,
    pick('accountcategorycode', opts([1, 'Preferred Customer'], [2, 'Standard'])),
    pick(
      'customertypecode',
      opts([1, 'Competitor'], [2, 'Consultant'], [3, 'Customer'], [11, 'Prospect'], [12, 'Other']),
    ),
    int('numberofemployees', 0, 1000000000),
    money('revenue'),
    bool('creditonhold'),
    lookup('parentaccountid', ['account']),
    lookup('primarycontactid', ['contact']),
    lookup('transactioncurrencyid', ['transactioncurrency']),
  ],
  states: ACTIVE_INACTIVE,
  navs: [
    // PA`webapi/create-entity-web-api` binds parentaccountid and primarycontactid by their column names.
    nav('parentaccountid', 'parentaccountid', 'account', 'account_parent_account'),
    nav('primarycontactid', 'primarycontactid', 'contact', 'account_primary_contact'),
    nav(
      'transactioncurrencyid',
      'transactioncurrencyid',
      'transactioncurrency',
      'TransactionCurrency_Account',
    ),
  ],
});

const contact = tableDef({
  logicalName: 'contact',
  schemaName: 'Contact',
  entitySetName: 'contacts',
  displayName: 'Contact',
  displayCollectionName: 'Contacts',
  primaryId: 'contactid',
  primaryName: 'fullname',
  ownership: 'UserOwned',
  objectTypeCode: 2,
  hasNotes: true,
  columns: [
    // fullname is composed by the platform from firstname and lastname.
    str('fullname', 160, 'None', { ...READ_ONLY, isPrimaryName: true }),
    str('firstname', 50, 'Recommended'),
    str('lastname', 50, 'ApplicationRequired'),
    str('middlename', 50),
    // salutation and nickname: REF`contact` (String, 100 each).
    str('salutation', 100),
    str('nickname', 100),
    str('jobtitle', 100),
    str('telephone1', 50, 'None', { formatName: 'Phone' }),
    str('telephone2', 50, 'None', { formatName: 'Phone' }),
    str('mobilephone', 50, 'None', { formatName: 'Phone' }),
    str('emailaddress1', 100, 'None', { formatName: 'Email' }),
    str('emailaddress2', 100, 'None', { formatName: 'Email' }),
    memo('description', 2000),
    // Behavior DateOnly: exposed as Edm.Date, send "YYYY-MM-DD" (reference §1.2).
    dt('birthdate', 'DateOnly', 'DateOnly'),
    pick('gendercode', opts([1, 'Male'], [2, 'Female'])),
    pick('preferredcontactmethodcode', opts([1, 'Any'], [2, 'Email'], [3, 'Phone'], [4, 'Fax'], [5, 'Mail'])),
    bool('donotemail'),
    bool('donotphone'),
    ...address,
    lookup('parentcustomerid', ['account', 'contact']),
    lookup('transactioncurrencyid', ['transactioncurrency']),
  ],
  states: ACTIVE_INACTIVE,
  navs: [
    // Customer lookup: one navigation property per target (reference §1.2; client errors doc).
    nav('parentcustomerid_account', 'parentcustomerid', 'account', 'contact_customer_accounts', 'Cascade'),
    nav('parentcustomerid_contact', 'parentcustomerid', 'contact', 'contact_customer_contacts', 'Cascade'),
    nav(
      'transactioncurrencyid',
      'transactioncurrencyid',
      'transactioncurrency',
      'transactioncurrency_contact',
    ),
  ],
});

const appointment = tableDef({
  logicalName: 'appointment',
  schemaName: 'Appointment',
  entitySetName: 'appointments',
  displayName: 'Appointment',
  displayCollectionName: 'Appointments',
  primaryId: 'activityid',
  primaryName: 'subject',
  ownership: 'UserOwned',
  objectTypeCode: 4201,
  isActivity: true,
  hasNotes: true,
  columns: [
    str('subject', 200, 'ApplicationRequired', { isPrimaryName: true }),
    dt('scheduledstart', 'UserLocal', 'DateAndTime', { requiredLevel: 'ApplicationRequired' }),
    dt('scheduledend', 'UserLocal', 'DateAndTime', { requiredLevel: 'ApplicationRequired' }),
    dt('actualstart'),
    dt('actualend'),
    int('scheduleddurationminutes', 0, 2147483647),
    memo('description', 1048576),
    str('location', 200),
    str('category', 250),
    str('subcategory', 250),
    bool('isalldayevent'),
    pick('prioritycode', opts([0, 'Low'], [1, 'Normal'], [2, 'High']), { defaultValue: 1 }),
    entityName('activitytypecode', READ_ONLY),
    lookup('regardingobjectid', ['account', 'contact']),
    lookup('transactioncurrencyid', ['transactioncurrency']),
  ],
  // Reference §1.3: statecode 0 Open, 1 Completed, 2 Canceled, 3 Scheduled, with their default statuses.
  states: stateColumns(
    [
      [0, 'Open', 1],
      [1, 'Completed', 3],
      [2, 'Canceled', 4],
      [3, 'Scheduled', 5],
    ],
    [
      [1, 'Free', 0],
      [2, 'Tentative', 0],
      [3, 'Completed', 1],
      [4, 'Canceled', 2],
      [5, 'Busy', 3],
      [6, 'Out of Office', 3],
    ],
  ),
  navs: [
    // REF`appointment` many-to-one: regardingobjectid_<target>_appointment, transactioncurrencyid_appointment.
    nav(
      'regardingobjectid_account_appointment',
      'regardingobjectid',
      'account',
      'Account_Appointments',
      'Cascade',
    ),
    nav(
      'regardingobjectid_contact_appointment',
      'regardingobjectid',
      'contact',
      'Contact_Appointments',
      'Cascade',
    ),
    nav(
      'transactioncurrencyid_appointment',
      'transactioncurrencyid',
      'transactioncurrency',
      'TransactionCurrency_Appointment',
    ),
  ],
});

const annotation = tableDef({
  logicalName: 'annotation',
  schemaName: 'Annotation',
  entitySetName: 'annotations',
  displayName: 'Note',
  displayCollectionName: 'Notes',
  primaryId: 'annotationid',
  primaryName: 'subject',
  ownership: 'UserOwned',
  objectTypeCode: 5,
  columns: [
    str('subject', 500, 'ApplicationRequired', { isPrimaryName: true }),
    memo('notetext', 100000),
    str('filename', 255),
    str('mimetype', 256),
    str('langid', 2),
    // Base64; its size is checked against maxUploadFileSize (PA`attachment-annotation-files`).
    str('documentbody', 1073741823, 'None', { formatName: 'TextArea' }),
    bool('isdocument', false, { requiredLevel: 'SystemRequired' }),
    int('filesize', 0, 1000000000, READ_ONLY),
    lookup('objectid', ['account', 'contact', 'appointment']),
    entityName('objecttypecode', READ_ONLY),
  ],
  navs: [
    // REF`annotation`: objectid_<table> per target.
    nav('objectid_account', 'objectid', 'account', 'Account_Annotation', 'Cascade'),
    nav('objectid_contact', 'objectid', 'contact', 'Contact_Annotation', 'Cascade'),
    nav('objectid_appointment', 'objectid', 'appointment', 'Appointment_Annotation', 'Cascade'),
  ],
});

const systemuser = tableDef({
  logicalName: 'systemuser',
  schemaName: 'SystemUser',
  entitySetName: 'systemusers',
  displayName: 'User',
  displayCollectionName: 'Users',
  primaryId: 'systemuserid',
  primaryName: 'fullname',
  ownership: 'BusinessOwned',
  objectTypeCode: 8,
  // Users come from Entra ID, not from the Web API: no create or delete here, but their columns
  // (custom columns included) take updates (REF`systemuser`, Update message).
  writable: false,
  updatable: true,
  columns: [
    str('fullname', 200, 'None', { ...READ_ONLY, isPrimaryName: true }),
    str('firstname', 256),
    str('lastname', 256),
    str('internalemailaddress', 100, 'SystemRequired', { formatName: 'Email' }),
    str('domainname', 1024),
    bool('isdisabled'),
    bool('islicensed'),
    guid('applicationid'),
    guid('azureactivedirectoryobjectid'),
    pick(
      'accessmode',
      opts(
        [0, 'Read-Write'],
        [1, 'Administrative'],
        [2, 'Read'],
        [3, 'Support User'],
        [4, 'Non-interactive'],
        [5, 'Delegated Admin'],
      ),
    ),
    lookup('businessunitid', ['businessunit']),
  ],
  navs: [nav('businessunitid', 'businessunitid', 'businessunit', 'business_unit_system_users')],
});

const connection = tableDef({
  logicalName: 'connection',
  schemaName: 'Connection',
  entitySetName: 'connections',
  displayName: 'Connection',
  displayCollectionName: 'Connections',
  primaryId: 'connectionid',
  primaryName: 'name',
  ownership: 'UserOwned',
  objectTypeCode: 3234,
  columns: [
    str('name', 500, 'None', { ...READ_ONLY, isPrimaryName: true }),
    memo('description', 4000),
    dt('effectivestart'),
    dt('effectiveend'),
    bool('ismaster', false, READ_ONLY),
    lookup('record1id', ['account', 'contact']),
    lookup('record2id', ['account', 'contact']),
    lookup('record1roleid', ['connectionrole']),
    lookup('record2roleid', ['connectionrole']),
    lookup('relatedconnectionid', ['connection'], READ_ONLY),
  ],
  states: ACTIVE_INACTIVE,
  navs: [
    // Binding names from reference §1.6 (record1id_account, record2id_contact, record1roleid, record2roleid).
    nav('record1id_account', 'record1id', 'account', 'account_connections1', 'Cascade'),
    nav('record1id_contact', 'record1id', 'contact', 'contact_connections1', 'Cascade'),
    nav('record2id_account', 'record2id', 'account', 'account_connections2', 'Cascade'),
    nav('record2id_contact', 'record2id', 'contact', 'contact_connections2', 'Cascade'),
    nav('record1roleid', 'record1roleid', 'connectionrole', 'connection_role_connections1'),
    nav('record2roleid', 'record2roleid', 'connectionrole', 'connection_role_connections2'),
    nav(
      'relatedconnectionid',
      'relatedconnectionid',
      'connection',
      'connection_related_connection',
      'Cascade',
    ),
  ],
});

const connectionrole = tableDef({
  logicalName: 'connectionrole',
  schemaName: 'ConnectionRole',
  entitySetName: 'connectionroles',
  displayName: 'Connection Role',
  displayCollectionName: 'Connection Roles',
  primaryId: 'connectionroleid',
  primaryName: 'name',
  ownership: 'OrganizationOwned',
  objectTypeCode: 3231,
  columns: [
    str('name', 100, 'ApplicationRequired', { isPrimaryName: true }),
    memo('description', 4000),
    // connectionrole_category (reference §1.6: Business / Family / Social / …).
    pick(
      'category',
      opts(
        [1, 'Business'],
        [2, 'Family'],
        [3, 'Social'],
        [4, 'Sales'],
        [5, 'Other'],
        [1000, 'Stakeholder'],
        [1001, 'Sales Team'],
        [1002, 'Service'],
      ),
    ),
  ],
  states: ACTIVE_INACTIVE,
});

/**
 * REF`opportunity` (Dynamics 365 Sales): a potential sale to a customer. FlitStack never writes it; a
 * sales rep creates one for a migrated account or contact, and a rollback must find it (customerid is a
 * Customer lookup: one relationship per target, opportunity_customer_accounts and
 * opportunity_customer_contacts, parental, so deleting the customer deletes the opportunity).
 */
const opportunity = tableDef({
  logicalName: 'opportunity',
  schemaName: 'Opportunity',
  entitySetName: 'opportunities',
  displayName: 'Opportunity',
  displayCollectionName: 'Opportunities',
  primaryId: 'opportunityid',
  primaryName: 'name',
  ownership: 'UserOwned',
  objectTypeCode: 3,
  hasNotes: true,
  columns: [
    str('name', 300, 'ApplicationRequired', { isPrimaryName: true }),
    memo('description', 2000),
    lookup('customerid', ['account', 'contact']),
    lookup('parentaccountid', ['account']),
    lookup('parentcontactid', ['contact']),
  ],
  // REF`opportunity`: statecode 0 Open, 1 Won, 2 Lost, with their status reasons.
  states: stateColumns(
    [
      [0, 'Open', 1],
      [1, 'Won', 3],
      [2, 'Lost', 4],
    ],
    [
      [1, 'In Progress', 0],
      [2, 'On Hold', 0],
      [3, 'Won', 1],
      [4, 'Canceled', 2],
      [5, 'Out-Sold', 2],
    ],
  ),
  navs: [
    nav('customerid_account', 'customerid', 'account', 'opportunity_customer_accounts', 'Cascade'),
    nav('customerid_contact', 'customerid', 'contact', 'opportunity_customer_contacts', 'Cascade'),
    nav('parentaccountid', 'parentaccountid', 'account', 'opportunity_parent_account'),
    nav('parentcontactid', 'parentcontactid', 'contact', 'opportunity_parent_contact'),
  ],
});

/**
 * REF`postfollow`: a user following the activity feed of a record. Its rows are created and deleted,
 * never changed (webapi/reference/postfollow: POST GET DELETE; createdon, no modifiedon or modifiedby),
 * so a filter on modifiedon is refused like any unknown property (reference §8). Its regardingobjectid
 * relationships delete the follow with the record (`<table>_PostFollows`, Delete: Cascade).
 */
const postfollow = tableDef({
  logicalName: 'postfollow',
  schemaName: 'PostFollow',
  entitySetName: 'postfollows',
  displayName: 'Follow',
  displayCollectionName: 'Follows',
  primaryId: 'postfollowid',
  primaryName: 'regardingobjectidname',
  ownership: 'UserOwned',
  objectTypeCode: 8003,
  updatable: false,
  modifiable: false,
  columns: [
    lookup('regardingobjectid', ['account', 'contact'], { requiredLevel: 'ApplicationRequired' }),
    entityName('regardingobjecttypecode', READ_ONLY),
  ],
  navs: [
    nav('regardingobjectid_account', 'regardingobjectid', 'account', 'account_PostFollows', 'Cascade'),
    nav('regardingobjectid_contact', 'regardingobjectid', 'contact', 'contact_PostFollows', 'Cascade'),
  ],
});

/** Every standard table, in a stable order: the reference's tables, then the supporting system tables. */
export const STANDARD_TABLES: readonly TableDef[] = [
  account,
  contact,
  appointment,
  annotation,
  systemuser,
  connection,
  connectionrole,
  opportunity,
  postfollow,
  ...SYSTEM_TABLES,
];
