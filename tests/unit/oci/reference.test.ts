import { describe, expect, it } from 'vitest';
import { isSignetError } from '../../../src/lib/errors';
import {
  familiarReference,
  formatReference,
  parseReference,
  referenceTarget,
  registryApiHost
} from '../../../src/lib/oci/reference';

const D = 'sha256:' + 'ab'.repeat(32);

describe('parseReference: normalisation like docker/distribution', () => {
  const table: Array<[string, string]> = [
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['library/alpine', 'docker.io/library/alpine:latest'],
    ['docker.io/alpine', 'docker.io/library/alpine:latest'],
    ['index.docker.io/alpine', 'docker.io/library/alpine:latest'],
    ['user/app', 'docker.io/user/app:latest'],
    ['user/team/app:v1', 'docker.io/user/team/app:v1'],
    ['ghcr.io/org/app:v1.2.3', 'ghcr.io/org/app:v1.2.3'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['127.0.0.1:5000/a/b/c:tag_1', '127.0.0.1:5000/a/b/c:tag_1'],
    ['[::1]:5000/app:v1', '[::1]:5000/app:v1'],
    ['registry.example.com:443/app', 'registry.example.com:443/app:latest'],
    [`localhost:5000/app@${D}`, `localhost:5000/app@${D}`],
    [`localhost:5000/app:v1@${D}`, `localhost:5000/app:v1@${D}`],
    [`alpine@${D}`, `docker.io/library/alpine@${D}`],
    ['my-registry/app', 'docker.io/my-registry/app:latest'],
    ['Registry/app', 'Registry/app:latest'],
    ['a__b/c.d-e---f', 'docker.io/a__b/c.d-e---f:latest'],
    ['localhost:5000', 'docker.io/library/localhost:5000'],
    ['  alpine  ', 'docker.io/library/alpine:latest']
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${expected}`, () => {
      expect(formatReference(parseReference(input))).toBe(expected);
    });
  }

  it('splits the parts and keeps both tag and digest when both are given', () => {
    expect(parseReference(`localhost:5000/org/app:v1@${D}`)).toEqual({
      registry: 'localhost:5000',
      repository: 'org/app',
      tag: 'v1',
      digest: D
    });
    expect(referenceTarget(parseReference(`localhost:5000/org/app:v1@${D}`))).toBe(D);
    expect(referenceTarget(parseReference('localhost:5000/org/app'))).toBe('latest');
    expect(parseReference(`localhost:5000/org/app@${D}`).tag).toBeUndefined();
  });

  it('gives the familiar short form and the Docker Hub API host', () => {
    expect(familiarReference(parseReference('docker.io/library/alpine:3'))).toBe('alpine:3');
    expect(familiarReference(parseReference('docker.io/user/app'))).toBe('user/app:latest');
    expect(familiarReference(parseReference('ghcr.io/o/a:1'))).toBe('ghcr.io/o/a:1');
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryApiHost('localhost:5000')).toBe('localhost:5000');
  });
});

describe('parseReference: invalid references', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /is empty/],
    ['   ', /is empty/],
    ['https://ghcr.io/org/app', /leave out the scheme/],
    ['Alpine', /must be lowercase/],
    ['ghcr.io/Org/app', /must be lowercase/],
    ['ghcr.io/org/app:', /the tag ""/],
    ['ghcr.io/org/app:-bad', /the tag "-bad"/],
    ['ghcr.io/org/app:' + 'x'.repeat(129), /1–128 characters/],
    ['ghcr.io/org/app@sha256:abc', /the digest after "@"/],
    ['ghcr.io/org/app@md5:' + 'a'.repeat(32), /must start with sha256:/],
    ['ghcr.io/org/app@', /the digest after "@"/],
    ['ghcr.io/org//app', /repository "org\/\/app"/],
    ['ghcr.io/org/app-', /repository "org\/app-"/],
    ['ghcr.io/', /repository name is missing/],
    ['-bad.io:x/app', /registry "-bad.io:x"/],
    ['a b', /whitespace/],
    ['a'.repeat(64), /bare 64-character hex/],
    ['ghcr.io/' + 'a'.repeat(250), /longer than 255/],
    ['a:b:c', /the tag "b:c"/]
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input.length > 40 ? input.slice(0, 40) + '…' : input)}`, () => {
      let caught: unknown;
      try {
        parseReference(input);
      } catch (e) {
        caught = e;
      }
      expect(isSignetError(caught, 'ERR_REFERENCE_INVALID')).toBe(true);
      expect((caught as Error).message).toMatch(message);
      // Every message shows the expected shape so the user can fix the input.
      expect((caught as Error).message).toMatch(/Expected \[registry\[:port\]\/\]repository/);
    });
  }
});
