/**
 * What a deployment presets for every visitor, read from its own origin: signet.config.json (the
 * proxy), else the demo preset `npm start` serves (signet-demo.json). Loaded on demand by the app
 * state, so the shell does not carry it.
 */
import { DEMO_PRESET_PATH, parseDemoPreset, type DemoPreset } from './demo-preset';
import { DEPLOYMENT_CONFIG_PATH, parseDeploymentConfig, type DeploymentConfig } from './settings';

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
