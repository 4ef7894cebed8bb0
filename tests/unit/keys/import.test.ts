import { describe, expect, it } from 'vitest';
import { base64Encode, concatBytes } from '../../../src/lib/bytes';
import { importPrivateKeyPem, MAX_PRIVATE_KEY_PEM_LENGTH } from '../../../src/lib/keys/import';
import { MAX_PBKDF2_ITERATIONS } from '../../../src/lib/keys/pbes2';
import type { SignetErrorCode } from '../../../src/lib/errors';
import { OPENSSL_KEYS } from './fixtures/openssl-keys';
import { expectCode, expectExportRefused, publicKeyFromPem, signAndVerify } from './helpers';

const accepted = OPENSSL_KEYS.filter((k) => k.expect === 'ok');
const refused = OPENSSL_KEYS.filter((k) => k.expect !== 'ok');

function fixture(name: string) {
  const f = OPENSSL_KEYS.find((k) => k.name === name);
  if (!f) throw new Error(`no fixture ${name}`);
  return f;
}

describe('importPrivateKeyPem with keys written by OpenSSL', () => {
  it('covers all six key specs', () => {
    expect(new Set(accepted.map((k) => k.keySpec))).toEqual(new Set(['RSA-2048', 'RSA-3072', 'RSA-4096', 'EC-256', 'EC-384', 'EC-521']));
  });

  it.each(accepted.map((k) => [k.name, k] as const))('%s imports non-extractable and is the key in the file', async (_, f) => {
    const pair = await importPrivateKeyPem(f.pem, { passphrase: f.passphrase });
    expect(pair.keySpec).toBe(f.keySpec);
    await expectExportRefused(pair.privateKey);
    // The public key OpenSSL derived from the file verifies what the imported key signs.
    const opensslPublic = await publicKeyFromPem(f.publicKeyPem!, f.keySpec!);
    expect(await signAndVerify(f.keySpec!, pair.privateKey, opensslPublic)).toBe(true);
    expect(await signAndVerify(f.keySpec!, pair.privateKey, pair.publicKey)).toBe(true);
  });

  it.each(refused.map((k) => [k.name, k.expect, k] as const))('%s is refused with %s', async (_, code, f) => {
    await expectCode(importPrivateKeyPem(f.pem, { passphrase: f.passphrase }), code as SignetErrorCode);
  });

  it('explains how to re-encrypt what WebCrypto cannot decrypt', async () => {
    await expectCode(importPrivateKeyPem(fixture('scrypt').pem, { passphrase: 'x' }), 'ERR_UNSUPPORTED', /scrypt.*openssl pkcs8 -topk8 -v2 aes-256-cbc/);
    await expectCode(importPrivateKeyPem(fixture('pbes2-aes192').pem, { passphrase: 'x' }), 'ERR_UNSUPPORTED', /AES-192-CBC/);
    await expectCode(importPrivateKeyPem(fixture('legacy-pem-encryption').pem), 'ERR_UNSUPPORTED', /Proc-Type: 4,ENCRYPTED/);
    await expectCode(importPrivateKeyPem(fixture('ed25519').pem), 'ERR_ALGORITHM_UNSUPPORTED', /Ed25519 key; Notary signatures need RSA/);
    await expectCode(importPrivateKeyPem(fixture('rsa-1024').pem), 'ERR_ALGORITHM_UNSUPPORTED', /RSA 1024-bit key/);
    await expectCode(importPrivateKeyPem(fixture('ec-p224').pem), 'ERR_ALGORITHM_UNSUPPORTED', /curve 1\.3\.132\.0\.33/);
  });

  it('asks for the passphrase, and rejects a wrong one', async () => {
    const f = fixture('pbes2-aes256-sha256-ec-256');
    await expectCode(importPrivateKeyPem(f.pem), 'ERR_KEY_PASSPHRASE', /is encrypted; enter its passphrase/);
    await expectCode(importPrivateKeyPem(f.pem, { passphrase: '' }), 'ERR_KEY_PASSPHRASE');
    await expectCode(importPrivateKeyPem(f.pem, { passphrase: `${f.passphrase!}!` }), 'ERR_KEY_PASSPHRASE', /passphrase .* is wrong/);
    const u = fixture('pbes2-aes256-sha512-rsa-3072');
    // The same characters in another Unicode normalisation are other bytes, hence another key.
    await expectCode(importPrivateKeyPem(u.pem, { passphrase: u.passphrase!.normalize('NFD') }), 'ERR_KEY_PASSPHRASE');
  });

  it('ignores text and other PEM blocks around the key', async () => {
    const f = fixture('pkcs8-ec-256');
    const pair = await importPrivateKeyPem(`my signing key\r\n${f.publicKeyPem!}\n${f.pem.replace(/\n/g, '\r\n')}trailing words`);
    expect(pair.keySpec).toBe('EC-256');
  });
});

describe('importPrivateKeyPem refuses bad input with a reason', () => {
  const ec = () => fixture('pkcs8-ec-256');

  it('no key, two keys, a certificate, damaged base64 or DER, oversize text', async () => {
    await expectCode(importPrivateKeyPem(''), 'ERR_KEY_INVALID', /found no PEM block/);
    await expectCode(importPrivateKeyPem('hello'), 'ERR_KEY_INVALID', /expected a "-----BEGIN PRIVATE KEY-----" PEM block/);
    await expectCode(importPrivateKeyPem(ec().publicKeyPem!), 'ERR_KEY_INVALID', /found only "PUBLIC KEY"/);
    await expectCode(importPrivateKeyPem(ec().pem + fixture('pkcs8-ec-384').pem), 'ERR_KEY_INVALID', /holds 2 private keys/);
    await expectCode(importPrivateKeyPem(ec().pem.replace(/\n([A-Za-z0-9+/]{10})/, '\n$1%')), 'ERR_KEY_INVALID', /not valid base64/);
    const truncated = `-----BEGIN PRIVATE KEY-----\n${base64Encode(new Uint8Array([0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x00]))}\n-----END PRIVATE KEY-----\n`;
    await expectCode(importPrivateKeyPem(truncated), 'ERR_KEY_INVALID', /PKCS#8 PrivateKeyInfo/);
    await expectCode(importPrivateKeyPem('x'.repeat(MAX_PRIVATE_KEY_PEM_LENGTH + 1)), 'ERR_INPUT_TOO_LARGE');
    await expectCode(importPrivateKeyPem(42 as never), 'ERR_INPUT_INVALID');
  });

  it('a key whose private scalar is not the public point it claims', async () => {
    // SEC1 keys carry the public point; swap in another key's point (same curve) so they disagree.
    const a = fixture('sec1-ec-521').pem;
    const b = (await importPrivateKeyPem(fixture('genpkey-aes256-ec-521').pem, { passphrase: fixture('genpkey-aes256-ec-521').passphrase })).publicKey;
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', b));
    const der = Uint8Array.from(atob(a.replace(/-----[^-]+-----/g, '').replace(/\s/g, '')), (c) => c.charCodeAt(0));
    const mixed = concatBytes(der.subarray(0, der.length - raw.length), raw);
    const pem = `-----BEGIN EC PRIVATE KEY-----\n${base64Encode(mixed)}\n-----END EC PRIVATE KEY-----\n`;
    // WebCrypto either refuses the inconsistent key or we catch it with the signature probe.
    await expectCode(importPrivateKeyPem(pem), 'ERR_KEY_INVALID');
  });

  it('a hostile PBKDF2 iteration count is refused before any work', async () => {
    const tlv = (tag: number, content: Uint8Array): Uint8Array => {
      const len = content.length < 128 ? [content.length] : [0x81, content.length];
      return concatBytes(new Uint8Array([tag, ...len]), content);
    };
    const oid = (bytes: number[]) => tlv(0x06, new Uint8Array(bytes));
    const pbes2 = oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d]);
    const pbkdf2 = oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c]);
    const aes256 = oid([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a]);
    const iterations = tlv(0x02, new Uint8Array([0x7f, 0xff, 0xff, 0xff]));
    const kdf = tlv(0x30, concatBytes(pbkdf2, tlv(0x30, concatBytes(tlv(0x04, new Uint8Array(8)), iterations))));
    const cipher = tlv(0x30, concatBytes(aes256, tlv(0x04, new Uint8Array(16))));
    const alg = tlv(0x30, concatBytes(pbes2, tlv(0x30, concatBytes(kdf, cipher))));
    const der = tlv(0x30, concatBytes(alg, tlv(0x04, new Uint8Array(32))));
    const pem = `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${base64Encode(der)}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
    const started = Date.now();
    await expectCode(importPrivateKeyPem(pem, { passphrase: 'x' }), 'ERR_KEY_INVALID', new RegExp(`2147483647 PBKDF2 iterations; expected 1 to ${MAX_PBKDF2_ITERATIONS}`));
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
