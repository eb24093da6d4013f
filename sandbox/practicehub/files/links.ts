import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Result of checking a download link. */
export type LinkCheck = 'ok' | 'expired' | 'invalid';

/**
 * Signs and checks expiring download links (reference, sandbox model: "list entries carry a
 * download_url that expires (answers 403 after expiry)"). A link is bound to the file, its expiry and
 * the API key it was issued to, so downloads count against that key's rate limit. The secret is random
 * per server: links from one sandbox never open files on another.
 */
export class LinkSigner {
  private readonly secret = randomBytes(32);

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {
    if (!(ttlSeconds > 0)) throw new Error(`fileLinkTtlSeconds must be positive, got ${ttlSeconds}`);
  }

  private sign(fileId: string, expires: number, apiKey: string): string {
    return createHmac('sha256', this.secret).update(`${fileId}:${expires}:${apiKey}`).digest('base64url');
  }

  /** The query string (`expires=...&signature=...`) of a fresh link to `fileId` for `apiKey`. */
  issue(fileId: string, apiKey: string): string {
    // Whole seconds, rounded down: a link never lives longer than the TTL.
    const expires = Math.floor(this.now() / 1000) + this.ttlSeconds;
    return `expires=${expires}&signature=${this.sign(fileId, expires, apiKey)}`;
  }

  /** Checks a presented link; `expired` once the current time reaches `expires`. */
  check(
    fileId: string,
    expiresText: string | undefined,
    signature: string | undefined,
    apiKey: string,
  ): LinkCheck {
    if (!expiresText || !/^\d{1,12}$/.test(expiresText) || !signature) return 'invalid';
    const expires = Number(expiresText);
    const expected = Buffer.from(this.sign(fileId, expires, apiKey));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    return this.now() / 1000 >= expires ? 'expired' : 'ok';
  }
}
