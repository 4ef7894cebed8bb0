/**
 * Turns files a person dropped or picked into what the app will do with them (files.ts), reading
 * them with size limits. Loads the envelope sniffer on demand.
 */
import type { DropIntent } from './files';

/** The page that handles an intent. */
export function intentPath(intent: DropIntent): string {
  return intent.kind === 'open-bundle' ? '/' : '/inspect';
}

export async function prepareFiles(files: readonly File[]): Promise<DropIntent> {
  const { dropIntent, readDroppedFiles } = await import('./files');
  return dropIntent(await readDroppedFiles(files));
}
