/**
 * Microsoft's Dataverse error codes and messages, in one table.
 *
 * Shape: `{"error":{"code":"0x…","message":"…"}}` (reference/dataverse.md §8, from
 * PA`webapi/compose-http-requests-handle-errors`). Codes and message templates come from the Dataverse
 * error list (powerapps-docs `includes/data-service-errors.md`) unless a comment says otherwise.
 */

/** A failure that the sandbox answers with Microsoft's error JSON. */
export class DataverseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The JSON body Dataverse sends for this error. */
  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

const err = (status: number, code: string, message: string) => new DataverseError(status, code, message);

/** The OData layer wraps payload problems like this (troubleshoot Web API client errors, 0x80048d19). */
const payload = (entitySet: string, inner: string) =>
  err(
    400,
    '0x80048d19',
    `Error identified in Payload provided by the user for Entity :'${entitySet}'  ---->  InnerException : Microsoft.OData.ODataException: ${inner}`,
  );

/** Factories for every error the sandbox answers, named after Dataverse's error names where one exists. */
export const Errors = {
  /** Troubleshoot Web API client errors: entity set and function names are case sensitive. */
  resourceNotFound: (segment: string) =>
    err(404, '0x8006088a', `Resource not found for the segment '${segment}'.`),
  /** Troubleshoot Web API client errors: a function called with the wrong method. */
  noHttpResource: (url: string) =>
    err(404, '', `No HTTP resource was found that matches the request URI '${url}'.`),
  /** Troubleshoot Web API client errors ($select/$filter/$orderby with an unknown or wrong-case name). */
  propertyNotFound: (name: string, table: string) =>
    err(400, '0x0', `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${table}'.`),
  /**
   * A query function's PropertyName that is no column's logical name, such as a lookup's `_x_value`
   * (code and text as Dataverse answers them).
   */
  attributeNotFound: (name: string, table: string) =>
    err(
      400,
      '0x80041103',
      `'${table}' entity doesn't contain attribute with Name = '${name}' and NameMapping = 'Logical'.`,
    ),
  /** Troubleshoot Web API client errors: a body property that does not exist (newer code 0x80060888). */
  invalidProperty: (name: string, table: string) =>
    err(
      400,
      '0x80060888',
      `Invalid property '${name}' was found in entity 'Microsoft.Dynamics.CRM.${table}'.`,
    ),
  /** Troubleshoot Web API client errors: a bind on a name that is not a navigation property. */
  undeclaredProperty: (name: string, entitySet: string) =>
    payload(
      entitySet,
      `An undeclared property '${name}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
    ),
  /** OData conversion failure of a literal in the body (same wrapper as above). */
  cannotConvert: (literal: string, edmType: string, entitySet: string) =>
    payload(entitySet, `Cannot convert the literal '${literal}' to the expected type '${edmType}'.`),
  /** Any other malformed body. */
  badPayload: (entitySet: string, inner: string) => payload(entitySet, inner),
  /** Query option syntax errors come from the OData URI parser (code 0x0 like propertyNotFound). */
  querySyntax: (message: string) => err(400, '0x0', message),
  /** A metadata item (table, column, option set) named in a metadata request that does not exist. */
  metadataNotFound: (what: string, name: string) =>
    err(404, '0x80040217', `Could not find ${what} with name '${name}'.`),
  /** ObjectDoesNotExist; the 404 follows PA`webapi/perform-conditional-operations-using-web-api`. */
  doesNotExist: (table: string, id: string) =>
    err(404, '0x80040217', `${table} With Id = ${id} Does Not Exist`),
  /** Alternate-key reference that matches nothing (0x80060891, seen in dynamics-365-customer-engagement #1044). */
  keyDoesNotExist: (table: string) =>
    err(404, '0x80060891', `A record with the specified key values does not exist in ${table} entity`),
  /** EntityKeyNotDefined: also what a key whose index is not Active yet answers. */
  keyNotDefined: (table: string) =>
    err(400, '0x80060890', `The specified key attributes are not a defined key for the ${table} entity`),
  /** PA`use-alternate-key-reference-record`: a non-key column used as a key in the URI. */
  invalidKeyInUri: (table: string) =>
    err(
      400,
      '0x80060890',
      `The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.${table}'. Make sure that the key values are the correct types.`,
    ),
  /**
   * UpsertMultiple creating a row whose alternate key is both in `@odata.id` and in the body: 400 with
   * the generic "unexpected error" (reported with this request and answer in
   * microsoft/PowerPlatform-DataverseClient-Python#127; the update path tolerates it). The upsert page
   * (PA`use-upsert-insert-update-record`) says not to send the key in the body at all.
   */
  unexpected: () => err(400, '0x80040216', 'An unexpected error occurred.'),
  /** DuplicateRecord, answered with 412 as the status-code table of compose-http-requests-handle-errors says. */
  /** IsvAborted: a plug-in threw InvalidPluginExecutionException with `message` (SyncPlugin). */
  isvAborted: (message: string, status = 400) => err(status, '0x80040265', message),
  duplicateRecord: () => err(412, '0x80040237', 'Cannot insert duplicate key.'),
  /** DuplicateRecordEntityKey. */
  duplicateKey: (keyName: string, columns: string) =>
    err(
      412,
      '0x80060892',
      `Entity Key ${keyName} violated. A record with the same value for ${columns} already exists. A duplicate record cannot be created. Select one or more unique values and try again.`,
    ),
  /** PA`webapi/perform-conditional-operations-using-web-api`: If-None-Match: * on an existing record. */
  alreadyExists: () => err(412, '', 'A record with matching key values already exists.'),
  /** ConcurrencyVersionMismatch (conditional operations doc). */
  versionMismatch: () =>
    err(
      412,
      '0x80060882',
      "The version of the existing record doesn't match the RowVersion property provided.",
    ),
  /** $batch doc: the length error example (two spaces after the first sentence are Microsoft's). */
  tooLong: (column: string, table: string, max: number) =>
    err(
      400,
      '0x80044331',
      `A validation error occurred.  The length of the '${column}' attribute of the '${table}' entity exceeded the maximum allowed length of '${max}'.`,
    ),
  /**
   * InvalidCharactersInField: a string or memo value with a character XmlConvert.VerifyXmlChars refuses
   * (PA`best-practices/work-with-data/invalidcharactersinfield`).
   */
  invalidCharacters: (column: string) =>
    err(400, '0x80040278', `The field '${column}' contains one or more invalid characters.`),
  /** PicklistValueOutOfRange (message as Dataverse prints it, code 0x8004431a). */
  outOfRange: (value: string, column: string, table: string, accepted?: readonly number[]) =>
    err(
      400,
      '0x8004431a',
      `A validation error occurred. The value ${value} of '${column}' on record of type '${table}' is outside the valid range.${accepted ? ` Accepted Values: ${accepted.join(',')}` : ''}`,
    ),
  /** behavior-format-date-time-attribute: the 1753-01-01 minimum. The exact code is not documented. */
  dateTooEarly: (actual: string) =>
    err(
      400,
      '0x80040203',
      `DateTime is less than minimum value supported by CrmDateTime. Actual value: ${actual}, Minimum value supported: 01/01/1753 00:00:00`,
    ),
  /** Observed, not documented (reference §2): a future overriddencreatedon throws. Text is the sandbox's. */
  futureOverriddenCreatedOn: () =>
    err(
      400,
      '0x80040203',
      'Invalid argument. overriddencreatedon cannot be later than the current date and time.',
    ),
  /**
   * A bulk request whose transaction outlasted the database's time (Troubleshoot Dataverse bulk operation
   * errors: code -2147204783, "likely to occur if the batch size of your request is too large"). The page
   * gives no HTTP status; the sandbox answers 500, as for other failures of the service's own.
   */
  sqlTimeout: () =>
    err(
      500,
      '0x80044151',
      'SQL timeout expired. CRM ErrorCode: -2147204783 Sql ErrorCode: -2146232060 Sql Number: -2',
    ),
  /**
   * A deadlock the database chose the request's transaction as the victim of ("Generic SQL error",
   * -2147204784, SQL number 1205: "occurs when attempting to update the same record concurrently",
   * Troubleshoot Dataverse bulk operation errors). The page gives no HTTP status; 500 as for sqlTimeout.
   */
  sqlDeadlock: () =>
    err(
      500,
      '0x80044150',
      'Generic SQL error. CRM ErrorCode: -2147204784 Sql ErrorCode: -2146232060 Sql Number: 1205',
    ),
  /** A service behind the web server that did not answer (502) or is unavailable (503): no Dataverse code. */
  unavailable: (status: 502 | 503) =>
    err(
      status,
      '',
      status === 502 ? 'Bad Gateway.' : 'The service is temporarily unavailable. Please try again later.',
    ),
  /** unManagedidsusernotenabled. */
  userDisabled: () =>
    err(400, '0x80040225', 'The specified user is either disabled or is not a member of any business unit.'),
  /** InvalidStateCodeStatusCode (0x80048408), worded like the platform's own message. */
  invalidStatus: (status: number, stateLabel: string, table: string, id: string) =>
    err(
      400,
      '0x80048408',
      `${status} is not a valid status code for state code ${stateLabel} on ${table} with Id ${id}.`,
    ),
  /** PA`attachment-annotation-files`. */
  /**
   * An owner without a security role: the read privilege check for the owner fails. Worded after the
   * platform's "Principal user (Id=…) is missing prv… privilege" (0x80040220, reference §8).
   */
  ownerWithoutRole: (userId: string, readPrivilege: string) =>
    err(
      403,
      '0x80040220',
      `Principal user (Id=${userId}, type=8, roleCount=0, privilegeCount=0, accessMode=0), is missing ${readPrivilege} privilege. The user who owns the record needs a security role with read access to the table.`,
    ),
  /**
   * The caller lacks a table's Read privilege: "Principal user (Id=…) is missing prv… privilege"
   * (0x80040220, reference §8), worded as for an owner, naming the privilege's id and the table.
   */
  callerCannotRead: (
    userId: string,
    readPrivilege: string,
    privilegeId: string,
    otc: number,
    table: string,
  ) =>
    err(
      403,
      '0x80040220',
      `Principal user (Id=${userId}, type=8, roleCount=1, privilegeCount=0, accessMode=0), is missing ${readPrivilege} privilege (Id=${privilegeId}) on OTC=${otc} for entity '${table}'.`,
    ),
  attachmentTooBig: () => err(400, '0x80044a02', 'Attachment file size is too big.'),
  /** SdkEntityDoesNotSupportMessage, as the platform words it for bulk messages (bulk-operations). */
  messageNotSupported: (message: string, table: string) =>
    err(
      400,
      '0x80040800',
      `The '${message}' method does not support entities of type '${table}'. MessageProcessorCache returned MessageProcessor.Empty.`,
    ),
  /** InvalidArgument, for request shapes the platform rejects without a more specific code. */
  invalidArgument: (detail: string) => err(400, '0x80040203', `Invalid argument. ${detail}`),
  /** $batch doc: a Content-ID referenced before it is declared. */
  contentIdMissing: (ref: string) =>
    err(400, '', `Content-ID Reference: '${ref}' does not exist in the batch context.`),
  /** ExceedCustomEntityQuota. */
  customEntityQuota: () => err(400, '0x8004b042', 'The custom entity limit has been reached.'),
  /** InvalidNamePrefix. */
  invalidPrefix: (schemaName: string, type: string) =>
    err(
      400,
      '0x80044366',
      `The schema name ${schemaName} for type ${type} is invalid or missing.Custom attribute, entity, entitykey, option set and relationship names must start with a valid customization prefix.The prefix for a solution component should match the prefix that is specified for the publisher of the solution.`,
    ),
  /** SchemaNameContainsNonAlphaNumericCharacters. */
  schemaNameCharacters: (schemaName: string, type: string) =>
    err(
      400,
      '0x80044364',
      `Identifier ${schemaName} for type ${type} can only consist of alpha-numeric and underscore characters.`,
    ),
  /** SchemaNameNotStartwithLetter (Microsoft's spelling). */
  schemaNameStart: (schemaName: string, type: string) =>
    err(
      400,
      '0x80044365',
      `Identifers should start with a letter. The schema name ${schemaName} for type ${type} doesn't start with letter.`,
    ),
  /** SchemaNameLengthExceedsLimit. */
  schemaNameLength: (schemaName: string, type: string, max: number) =>
    err(
      400,
      '0x80044367',
      `Identifiers cannot be more than ${max} characters long. The provided schema name ${schemaName} length for type ${type} is greater than maxlength ${max} characters.`,
    ),
  /** SchemaNameisNotUnique. */
  schemaNameNotUnique: (schemaName: string, type: string) =>
    err(
      400,
      '0x80044363',
      `The schema name ${schemaName} for type ${type} is not unique. An ${schemaName} with same name already exists.`,
    ),
  /**
   * DuplicateAttributeSchemaName: a column whose schema name the table already has (Microsoft's
   * PowerApps-Samples, dataverse/webapi/C#-NETx/ImageOperations/Utility.cs, read error code 0x80047013 as
   * "already exists").
   */
  attributeExists: (column: string, table: string) =>
    err(400, '0x80047013', `Attribute ${column} already exists for entity ${table}.`),
  /** EntityKeyNameExists. */
  keyNameExists: (name: string, table: string) =>
    err(400, '0x80060893', `An entity key with the name ${name} already exists on entity ${table}.`),
  /** EntityKeyWithSelectedAttributesExists. */
  keyAttributesExist: () =>
    err(400, '0x80060894', 'An entity key with the selected attributes already exists on entity.'),
  /** 401 from Dataverse carries no body; WWW-Authenticate names the authority (set by the server). */
  unauthorized: () => err(401, '', ''),
  /** Methods the entity set or resource does not allow (compose-http-requests-handle-errors, 405). */
  methodNotAllowed: (method: string, url: string) =>
    err(405, '0x80060888', `The requested resource does not support http method '${method}'. ${url}`),
  /** SdkMessageNotImplemented with 501 (in Dataverse's status list); used for the sandbox's own gaps. */
  notImplemented: (what: string) =>
    err(501, '0x80044824', `Sdk message is not implemented. The sandbox does not implement ${what}.`),
} as const;
