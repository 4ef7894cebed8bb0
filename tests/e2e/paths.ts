/** Locations the e2e suite shares (Node only). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where `vite build` (adapter-static) writes the app. */
export const buildDir = path.join(repoRoot, 'build');
/** Screenshots and other artifacts of e2e runs. */
export const artifactsDir = path.join(repoRoot, 'test-results', 'e2e');
