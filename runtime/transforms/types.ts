/**
 * What transform steps report besides their result. A step never throws on bad data: it returns a
 * value (possibly null) and records a flag (the value was changed or dropped, the record still loads)
 * or a rejection (the record must not load). Messages never contain the value itself: values may be
 * patient data, and flags end up in logs and reports.
 */
export interface Issues {
  readonly flags: Flag[];
  readonly rejections: Rejection[];
}

/** A change made to a value on its way to Dataverse (truncated, dropped, defaulted, split, ...). */
export interface Flag {
  /** Target column the value was going to. */
  readonly column: string;
  readonly code: FlagCode;
  /** What happened, in words, without the value (e.g. "cut from 73 to 50 characters"). */
  readonly detail: string;
}

/** Why a record cannot load. */
export interface Rejection {
  readonly column: string;
  readonly code: RejectionCode;
  readonly reason: string;
}

export type FlagCode =
  | 'truncated'
  | 'split'
  | 'invalid_email_dropped'
  | 'invalid_phone_dropped'
  | 'invalid_phone_kept'
  | 'date_out_of_range_dropped'
  | 'unreadable_value_dropped'
  | 'unmapped_value_dropped'
  | 'unmapped_value_defaulted'
  | 'lookup_unresolved'
  | 'owner_fallback'
  | 'phone_extension_dropped'
  | 'number_out_of_range_dropped'
  | 'decimal_digits_dropped'
  | 'document_archived'
  | 'attachment_removed';

export type RejectionCode =
  | 'invalid_email'
  | 'invalid_phone'
  | 'date_out_of_range'
  | 'unmapped_value'
  | 'unreadable_value'
  | 'lookup_required'
  | 'missing_key';

/** A policy for a value that cannot be written as it is. */
export type DropPolicy = 'reject' | 'drop_with_flag';
export type PhonePolicy = 'reject' | 'drop_with_flag' | 'keep_with_flag';

/** A fresh, empty Issues. */
export function newIssues(): Issues {
  return { flags: [], rejections: [] };
}
