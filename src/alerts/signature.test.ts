import { describe, expect, it } from 'vitest';

import { signPayload, verifySignature } from './signature.ts';

const SECRET = 'whsec_test_secret';
const TIMESTAMP = '1767225600';
const BODY = '{"type":"balance.low","id":"evt_1"}';
const SIGNED_AT = new Date(1_767_225_600_000);

/** HMAC-SHA256 of "1767225600." + BODY under SECRET, computed with openssl dgst -sha256 -hmac. */
const EXPECTED_HEX = 'f727da72dc9263871ee2c816a1698d7183b571301b1ef33a43d6c4de1ab10922';

describe('signPayload', () => {
  it('signs timestamp, dot and body with HMAC-SHA256', () => {
    expect(signPayload(SECRET, TIMESTAMP, BODY)).toBe(`v1=${EXPECTED_HEX}`);
  });

  it('signs bytes like the same string', () => {
    expect(signPayload(SECRET, TIMESTAMP, Buffer.from(BODY, 'utf8'))).toBe(`v1=${EXPECTED_HEX}`);
  });
});

describe('verifySignature', () => {
  const header = `v1=${EXPECTED_HEX}`;

  it('accepts a valid signature', () => {
    expect(verifySignature(SECRET, TIMESTAMP, BODY, header, { now: SIGNED_AT })).toBe(true);
  });

  it('accepts uppercase hex', () => {
    expect(verifySignature(SECRET, TIMESTAMP, BODY, `v1=${EXPECTED_HEX.toUpperCase()}`, { now: SIGNED_AT })).toBe(true);
  });

  it('rejects a tampered body', () => {
    const tampered = BODY.replace('evt_1', 'evt_2');
    expect(verifySignature(SECRET, TIMESTAMP, tampered, header, { now: SIGNED_AT })).toBe(false);
  });

  it('rejects a tampered timestamp', () => {
    expect(verifySignature(SECRET, '1767225601', BODY, header, { now: SIGNED_AT })).toBe(false);
  });

  it('rejects another secret', () => {
    expect(verifySignature('whsec_other', TIMESTAMP, BODY, header, { now: SIGNED_AT })).toBe(false);
  });

  it('rejects a timestamp older than the tolerance', () => {
    const later = new Date(SIGNED_AT.getTime() + 301_000);
    expect(verifySignature(SECRET, TIMESTAMP, BODY, header, { now: later })).toBe(false);
  });

  it('accepts a timestamp at the tolerance', () => {
    const later = new Date(SIGNED_AT.getTime() + 300_000);
    expect(verifySignature(SECRET, TIMESTAMP, BODY, header, { now: later })).toBe(true);
  });

  it('rejects a timestamp ahead by more than the tolerance', () => {
    const earlier = new Date(SIGNED_AT.getTime() - 301_000);
    expect(verifySignature(SECRET, TIMESTAMP, BODY, header, { now: earlier })).toBe(false);
  });

  it('skips the age check with an infinite tolerance', () => {
    const muchLater = new Date(SIGNED_AT.getTime() + 86_400_000);
    expect(verifySignature(SECRET, TIMESTAMP, BODY, header, { now: muchLater, toleranceSeconds: Infinity })).toBe(true);
  });

  it('accepts one match among several signatures', () => {
    const several = `v1=${'0'.repeat(64)}, ${header}`;
    expect(verifySignature(SECRET, TIMESTAMP, BODY, several, { now: SIGNED_AT })).toBe(true);
  });

  it.each([
    ['missing header', TIMESTAMP, undefined],
    ['empty header', TIMESTAMP, ''],
    ['unknown version', TIMESTAMP, `v0=${EXPECTED_HEX}`],
    ['short hex', TIMESTAMP, `v1=${EXPECTED_HEX.slice(2)}`],
    ['non-hex digits', TIMESTAMP, `v1=${'z'.repeat(64)}`],
    ['missing timestamp', undefined, header],
    ['timestamp with a fraction', '1767225600.5', header],
  ])('rejects %s', (_case, timestamp, value) => {
    expect(verifySignature(SECRET, timestamp, BODY, value, { now: SIGNED_AT })).toBe(false);
  });
});
