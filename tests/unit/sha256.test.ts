import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/data/sha256';
import { sha256Hex } from '../../src/data/mnistLoader';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const reference = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('sha256 in JavaScript (for pages over plain http, without crypto.subtle)', () => {
  it('gives the FIPS 180-4 test vectors', () => {
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with Node at every length around the padding boundaries, and on a view into a larger buffer', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    for (const length of [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 300]) {
      expect([length, hex(sha256(data.subarray(0, length)))]).toEqual([length, reference(data.subarray(0, length))]);
    }
    const view = data.subarray(17, 217);
    expect(hex(sha256(view))).toBe(reference(view));
  });

  it('is what the loader uses when the page has no crypto.subtle', async () => {
    const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff);
    const subtle = Object.getOwnPropertyDescriptor(globalThis.crypto, 'subtle');
    Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true });
    try {
      expect(globalThis.crypto.subtle).toBeUndefined();
      expect(await sha256Hex(data)).toBe(reference(data));
    } finally {
      if (subtle) Object.defineProperty(globalThis.crypto, 'subtle', subtle);
      else delete (globalThis.crypto as { subtle?: unknown }).subtle;
    }
    expect(globalThis.crypto.subtle).toBeDefined();
  });
});
