/**
 * Small browser-only helpers the pages share: downloading generated files, copying text, and
 * reading the deployment's optional config file. Kept apart from the framework-free modules so
 * those stay testable in Node.
 */
import { DEMO_PRESET_PATH, parseDemoPreset, type DemoPreset } from './demo-preset';
import { DEPLOYMENT_CONFIG_PATH, parseDeploymentConfig, type DeploymentConfig } from './settings';

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

/**
 * Reads signet.config.json from this origin: a deployment that runs the proxy next to the app
 * presets it there for every visitor. Absent or unreadable → null plus the reason.
 */
export async function fetchDeploymentConfig(fetchFn: typeof fetch = fetch): Promise<{ config: DeploymentConfig | null; problems: string[] }> {
  let response: Response;
  try {
    response = await fetchFn(DEPLOYMENT_CONFIG_PATH, { cache: 'no-cache', credentials: 'same-origin', signal: AbortSignal.timeout(5_000) });
  } catch {
    return { config: null, problems: [] };
  }
  if (response.status === 404) return { config: null, problems: [] };
  if (!response.ok) return { config: null, problems: [`${DEPLOYMENT_CONFIG_PATH}: HTTP ${response.status}`] };
  const text = await response.text();
  if (text.length > 64 * 1024) return { config: null, problems: [`${DEPLOYMENT_CONFIG_PATH}: larger than 64 KiB; ignored`] };
  try {
    return parseDeploymentConfig(JSON.parse(text));
  } catch {
    return { config: null, problems: [`${DEPLOYMENT_CONFIG_PATH}: not JSON; ignored`] };
  }
}

/** Reads signet-demo.json (what `npm start` serves); absent or unusable → null plus the reason. */
export async function fetchDemoPreset(fetchFn: typeof fetch = fetch): Promise<{ preset: DemoPreset | null; problems: string[] }> {
  let response: Response;
  try {
    response = await fetchFn(DEMO_PRESET_PATH, { cache: 'no-cache', credentials: 'same-origin', signal: AbortSignal.timeout(5_000) });
  } catch {
    return { preset: null, problems: [] };
  }
  if (response.status === 404) return { preset: null, problems: [] };
  if (!response.ok) return { preset: null, problems: [`${DEMO_PRESET_PATH}: HTTP ${response.status}`] };
  const text = await response.text();
  if (text.length > 1024 * 1024) return { preset: null, problems: [`${DEMO_PRESET_PATH}: larger than 1 MiB; ignored`] };
  try {
    return { preset: parseDemoPreset(JSON.parse(text)), problems: [] };
  } catch (e) {
    return { preset: null, problems: [e instanceof Error ? e.message : String(e)] };
  }
}
