import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Helpers of the browser suite: signing in through the console, and axe-core on each page. */

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** Everything a page did wrong: script errors, CSP refusals, failed console checks. */
export class PageProblems {
  readonly problems: string[] = [];

  watch(page: Page, who: string): void {
    page.on('pageerror', (error) => this.problems.push(`${who}: page error ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      // A 401 while signed out, or a refusal the test provokes, is logged by the browser as a
      // failed resource load: expected. A CSP violation never is.
      if (/Content Security Policy|Refused to/i.test(text)) {
        this.problems.push(`${who}: ${text}`);
      }
    });
  }
}

/**
 * axe-core, evaluated in the page (through the DevTools protocol, which the page's CSP does not
 * govern: the page itself stays under its strict policy): the serious and critical violations of
 * WCAG 2.x A and AA (2.2 included) and best practices.
 */
export async function axeCheck(page: Page, where: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<AxeViolation[]>(`
    axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    }).then((result) => result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })),
    })))
  `);
  const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    grave.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    ),
    [],
    `axe-core on ${where}`,
  );
  console.log(
    JSON.stringify({ axe: where, violations: violations.length, seriousOrCritical: grave.length }),
  );
}

export async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** A fresh browser context (its own cookies) on the console of a node, signed in with a credential. */
export async function signedInConsole(
  browser: Browser,
  baseUrl: string,
  credential: string,
  problems: PageProblems,
  who: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-GB', baseURL: baseUrl });
  const page = await context.newPage();
  problems.watch(page, who);
  await page.goto('/console/');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByLabel('API key or access token').fill(credential);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { context, page };
}

/** The labels of the main navigation: what this role may open. */
export async function menu(page: Page): Promise<string[]> {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
}
