/**
 * The browser side of the Chromium core benchmark: the same `measureCore` the Node section runs,
 * bundled by bench/lib/browser.ts and driven through Playwright.
 */
import type { KeySpec } from '../../src/lib/notary/algorithms';
import { measureCore, type CoreBudget, type CoreRow } from '../lib/core-cases';

declare global {
  interface Window {
    signetBench: { core(budget: CoreBudget, keySpecs: readonly KeySpec[]): Promise<CoreRow[]>; userAgent: string };
  }
}

window.signetBench = { core: (budget, keySpecs) => measureCore(budget, keySpecs), userAgent: navigator.userAgent };
document.title = 'signet-bench-ready';
