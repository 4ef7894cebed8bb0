/**
 * Small browser-only helpers the pages share: downloading generated files and copying text. Kept
 * apart from the framework-free modules so those stay testable in Node.
 */

/** Saves bytes or text as a file through a temporary object URL (no server involved). */
export function downloadFile(fileName: string, content: string | Uint8Array, type = 'application/json'): void {
  const blob = new Blob([content as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copies text; false when the browser refuses (no permission, insecure context). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
