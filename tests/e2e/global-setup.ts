/** vitest globalSetup for the e2e project: build the app once per run (skipped when build/ is fresh). */
import { ensureAppBuilt } from './build-app';

export function setup(): void {
  ensureAppBuilt((line) => console.log(line));
}
