/**
 * `signet` command line: the browser's engine, scripted from Node. Flags follow notation's names.
 * Node-only code (files, process) lives here; the core it calls is the same one the app runs.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { isSignetError } from '../lib/errors';
import { sniffEnvelopeMediaType } from '../lib/notary/envelope';
import { formatInspectJson, inspectEnvelope } from '../lib/notary/inspect';
import { flag, parseArgs } from './args';
import { renderInspectTree } from './inspect-tree';
import { signCommand, verifyCommand } from './registry-commands';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`)
};

const USAGE = `Signet - Notary Project signatures for OCI artifacts, from the browser engine

Usage:
  signet inspect <signature file> [--output tree|json] [--media-type <envelope media type>]
  signet verify <reference> --trust-policy <trustpolicy.json> --trust-store <truststore dir>
                [--insecure-registry] [--output text|json] [-m key=value]... [--max-signatures N]
  signet sign <reference> --key <pkcs8.pem> --cert <chain.pem> [--signature-format cose|jws]
              [--expiry 24h] [-m key=value]... [--insecure-registry] [--force-referrers-tag]
              [--timestamp-url <url> --timestamp-root-cert <pem>]
  signet version

verify exits 0 when a signature passes the trust policy, 1 otherwise; sign prints the signed digest.
Keys given to sign are imported as non-extractable WebCrypto keys; they are never written anywhere.

Inspect flags:
  -o, --output        output format: tree (default; "text" is accepted as in notation v1) or json
      --media-type    envelope media type (application/jose+json or application/cose); guessed from
                      the file name (.jws.sig / .cose.sig) or its first byte when omitted
  -h, --help          show this help`;

export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'inspect':
        return await inspectCommand(rest, io);
      case 'verify':
        return await verifyCommand(rest, io);
      case 'sign':
        return await signCommand(rest, io, await version());
      case 'version':
        io.out(`Signet ${await version()}`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.err(`Error: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (isSignetError(e)) {
      io.err(`Error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function inspectCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, [{ name: 'output', short: 'o' }, { name: 'media-type' }, { name: 'help', short: 'h', boolean: true }]);
  if (flag(args, 'help')) {
    io.out(USAGE);
    return 0;
  }
  const output = flag(args, 'output') ?? 'tree';
  if (!['tree', 'text', 'json'].includes(output)) {
    io.err(`Error: unrecognized output format ${output}`);
    return 2;
  }
  const [path] = args.positionals;
  if (!path || args.positionals.length > 1) {
    io.err('Error: inspect takes exactly one signature file');
    return 2;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    io.err(`Error: cannot read ${path}: ${(e as Error).message}`);
    return 1;
  }
  const mediaType = flag(args, 'media-type') ?? sniffEnvelopeMediaType(bytes, basename(path));
  if (!mediaType) {
    io.err(`Error: cannot tell whether ${path} is a JWS or a COSE envelope; name it <file>.jws.sig or <file>.cose.sig, or pass --media-type`);
    return 1;
  }
  const signature = await inspectEnvelope(bytes, mediaType);
  if (output === 'json') io.out(formatInspectJson({ mediaType: signature.signedArtifact.mediaType, Signatures: [signature] }));
  else io.out(renderInspectTree(path, [signature]));
  return 0;
}
