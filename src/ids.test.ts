import { describe, expect, it } from 'vitest';

import { newId } from './ids.ts';

describe('newId', () => {
  it('has the prefix, 12 time digits and 16 random digits', () => {
    expect(newId('req')).toMatch(/^req_[0-9a-f]{28}$/);
  });

  it('sorts by creation time', () => {
    const first = newId('txn');
    const later = `txn_${(Date.now() + 1).toString(16).padStart(12, '0')}`;

    expect(first < later).toBe(true);
  });

  it('does not repeat across a refill of the random pool', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newId('x')));

    expect(ids.size).toBe(2000);
  });
});
