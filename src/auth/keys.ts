/**
 * Customer API keys: 256 random bits, shown once when issued, stored only as
 * a SHA-256 hash. Keys are high-entropy, so a fast hash is enough; what makes
 * a stolen database useless is that it never holds a key.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { LRUCache } from 'lru-cache';

import type { ApiKeyRecord, Customer, CustomerDirectory } from '../ledger/port.ts';

const KEY_PREFIX = 'tg-';

export interface IssuedKey {
  keyId: string;
  key: string;
  keyHash: string;
}

export function issueKey(): IssuedKey {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const keyId = `key_${randomBytes(12).toString('hex')}`;
  return { keyId, key, keyHash: hashKey(key) };
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface Authenticated {
  key: ApiKeyRecord;
  customer: Customer;
}

/**
 * Finds the customer of a bearer key through an LRU cache with a TTL, so a
 * revoked key stops working on every replica within `ttlMs`, and at once on
 * the replica that revoked it.
 */
export class KeyAuthenticator {
  readonly #directory: CustomerDirectory;
  readonly #cache: LRUCache<string, Authenticated>;

  constructor(directory: CustomerDirectory, options: { ttlMs: number; max: number }) {
    this.#directory = directory;
    this.#cache = new LRUCache<string, Authenticated>({ max: options.max, ttl: options.ttlMs });
  }

  async authenticate(key: string): Promise<Authenticated | null> {
    const keyHash = hashKey(key);
    let found = this.#cache.get(keyHash);

    if (!found) {
      found = (await this.#directory.findKey(keyHash)) ?? undefined;
      if (!found) {
        return null;
      }
      this.#cache.set(keyHash, found);
    }

    // The lookup is by hash; the constant-time comparison keeps the final check free of timing leaks.
    const matches = timingSafeEqual(Buffer.from(found.key.keyHash, 'hex'), Buffer.from(keyHash, 'hex'));
    return matches ? found : null;
  }

  forget(keyHash: string): void {
    this.#cache.delete(keyHash);
  }
}

/** Extracts the token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) {
    return null;
  }

  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
