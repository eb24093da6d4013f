import { createHash } from 'node:crypto';

/** The namespace of flitstack's derived row ids (a fixed UUID, so ids are the same on every machine). */
const NAMESPACE = 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607';

function bytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

/** UUID version 5 (RFC 9562 §5.5: SHA-1 of namespace and name) of `name`. */
export function uuidV5(name: string, namespace = NAMESPACE): string {
  const hash = createHash('sha1').update(bytes(namespace)).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The Dataverse id of a row: derived from the source account, the table and the row key, so every run
 * (and a resumed one) addresses the same row, lookups can be bound before a write returns, and two
 * migrations of different accounts never collide. Dataverse accepts a client-supplied primary key on
 * create (use-upsert-insert-update-record: upsert by primary key creates the row with that id).
 */
export function rowId(account: string, table: string, key: string): string {
  return uuidV5(`flitstack/${account}/${table}/${key}`);
}
