/**
 * The browser suite (`npm run test:browser`): Debian's Chromium driven by playwright-core through
 * the officer console of a real local network (two nodes of gateway and worker processes, on
 * ports 4331-4332). A French caseworker signs in, previews and sends an MLA request; the Nigerian
 * caseworker sees it arrive live; the asylum officer registers a person, whom H-1 then shields
 * from the caseworker's draft (the register is in no caseworker's menu); auditor, monitor and administrator open their pages; everyone signs out. axe-core checks
 * each page visited. Screenshots go to dist/test/browser/screenshots.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Role } from '#libs/access';
import { accountName, LocalNetwork, repoRoot } from '#tools/local-network';
import { axeCheck, menu, PageProblems, screenshot, signedInConsole } from './console.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const ALL = ['mla', 'jit', 'nationality-verification', 'assets'] as const;
const SHOTS = join(repoRoot(), 'dist', 'test', 'browser', 'screenshots');
const CASE = `FR-CONSOLE-${Date.now().toString(36).toUpperCase()}`;

type Step = { name: string; run: () => Promise<void> };

async function main(): Promise<number> {
  if (!existsSync(CHROMIUM)) {
    console.log(`no Chromium at ${CHROMIUM}: the browser suite is skipped`);
    return 0;
  }
  const network = await LocalNetwork.create({
    name: 'browser_console',
    workDir: join(tmpdir(), 'gateway-browser-console'),
    nodes: [
      {
        authorityId: FR,
        state: 'FR',
        name: 'Bureau de l’entraide pénale internationale',
        kind: 'central-authority',
        procedures: [...ALL],
        port: 4331,
      },
      {
        authorityId: NG,
        state: 'NG',
        name: 'Central Authority Unit, Federal Ministry of Justice',
        kind: 'central-authority',
        procedures: [...ALL],
        port: 4332,
      },
    ],
    env: {
      LOG_LEVEL: 'warn',
      GATEWAY_RETRY_BASE_DELAY_MS: '200',
      GATEWAY_RETRY_MAX_DELAY_MS: '1000',
      GATEWAY_RECONCILE_INTERVAL_MS: '1000',
    },
  });
  // A service account signs in with its API key (people with the node's bearer tokens).
  await network.createAccounts(FR, [
    { username: 'statistics.export', kind: 'service', roles: ['monitor'] },
  ]);
  const keyFile = join(network.options.workDir, 'secrets', 'monitor.key');
  await network.cli(FR, [
    'users',
    'api-key',
    '--username',
    'statistics.export',
    '--label',
    'browser suite',
    '--out',
    keyFile,
  ]);
  const monitorKey = readFileSync(keyFile, 'utf8').trim();
  await network.startAll();

  const token = (authorityId: string, role: Role) =>
    network.token(authorityId, accountName(authorityId, role));
  const problems = new PageProblems();
  const db = new pg.Pool({
    connectionString: network.databaseUrl,
    max: 1,
    options: `-c search_path=${network.schema(FR)}`,
  });
  let browser: Browser | undefined;
  let frCaseworker: Page | undefined;
  let ngCaseworker: Page | undefined;
  const results: Array<{ step: string; ok: boolean; ms: number; error?: string }> = [];

  const steps: Step[] = [
    {
      name: 'a French caseworker signs in and sees the casework menu, not the register',
      run: async () => {
        const context = await browser!.newContext({ locale: 'en-GB', baseURL: network.url(FR) });
        const page = await context.newPage();
        problems.watch(page, 'fr caseworker');
        await page.goto('/console/');
        await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
        await axeCheck(page, 'sign-in');
        // A wrong credential is refused inline, with its code.
        await page.getByLabel('API key or access token').fill('gwk_not-a-key-of-this-node-at-all');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('alert').getByText('UNAUTHENTICATED').waitFor();
        await axeCheck(page, 'sign-in refused');
        await page
          .getByLabel('API key or access token')
          .fill(await token(FR, 'central-authority-officer'));
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { level: 1, name: 'Mailbox' }).waitFor();
        assert.deepEqual(await menu(page), ['Mailbox', 'New MLA request']);
        const cookies = await context.cookies();
        const session = cookies.find((c) => c.name === 'tip_session');
        assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
        assert.equal(session?.sameSite, 'Strict');
        assert.ok(session && session.expires > Date.now() / 1000, 'the session cookie expires');
        await page.getByText('Live: new messages appear').waitFor();
        await axeCheck(page, 'mailbox (caseworker)');
        await screenshot(page, SHOTS, '01-fr-mailbox');
        frCaseworker = page;
      },
    },
    {
      name: 'a state-changing call without the CSRF token is refused',
      run: async () => {
        const answer = await frCaseworker!.evaluate<{
          status: number;
          body: { error: { code: string } };
        }>(`
          fetch('/api/v1/policy/explain', {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
          }).then(async (r) => ({ status: r.status, body: await r.json() }))
        `);
        assert.equal(answer.status, 403);
        assert.equal(answer.body.error.code, 'CSRF_TOKEN_INVALID');
      },
    },
    {
      name: 'the Nigerian caseworker opens the mailbox and waits, live',
      run: async () => {
        const { page } = await signedInConsole(
          browser!,
          network.url(NG),
          await token(NG, 'central-authority-officer'),
          problems,
          'ng caseworker',
        );
        await page.getByRole('heading', { level: 1, name: 'Mailbox' }).waitFor();
        await page.getByText('Live: new messages appear').waitFor();
        await page.evaluate('window.__sameDocument = true');
        ngCaseworker = page;
      },
    },
    {
      name: 'the asylum officer sees the register, and registers a person',
      run: async () => {
        const { page } = await signedInConsole(
          browser!,
          network.url(FR),
          await token(FR, 'asylum-authority-officer'),
          problems,
          'fr asylum officer',
        );
        assert.deepEqual(await menu(page), ['Protected-persons register']);
        await page.getByRole('heading', { level: 1, name: 'Protected-persons register' }).waitFor();
        await page.getByText('0 entries of your authority').waitFor();
        await page.getByLabel('Family name').fill('Adeyemi');
        await page.getByLabel('Given name').fill('Grace');
        await page.getByLabel('States to shield from (ISO codes, comma-separated)').fill('NG');
        await page.getByRole('button', { name: 'Add to the register' }).click();
        await page.getByText(/Registered: entry/).waitFor();
        await page.getByText('1 entries of your authority').waitFor();
        await axeCheck(page, 'register');
        await screenshot(page, SHOTS, '01-fr-register');
        await signOut(page);
      },
    },
    {
      name: 'the French caseworker composes an MLA request, sees the policy preview, sends',
      run: async () => {
        const page = frCaseworker!;
        await page.getByRole('link', { name: 'New MLA request' }).click();
        await page.getByRole('heading', { level: 1, name: 'New MLA request' }).waitFor();
        const send = page.getByRole('button', { name: 'Send', exact: true });
        assert.equal(await send.isDisabled(), true, 'no sending before a preview');
        await page.getByLabel('Recipient authority').selectOption(NG);
        await page.getByLabel('Case reference').fill(CASE);
        await page
          .getByLabel('Permitted purpose (speciality)')
          .fill(`Criminal proceedings ${CASE} (trafficking in persons)`);
        await page
          .getByLabel('Subject matter of the proceeding')
          .fill('Trafficking in persons for sexual exploitation');
        await page
          .getByLabel('Authority conducting the proceeding')
          .fill('Tribunal judiciaire de Paris');
        await page.getByLabel('Its functions').fill('investigating judge');
        await page
          .getByLabel('Summary of the facts')
          .fill(
            'Recruiters in Benin City arranged travel to France; victims were exploited in Paris.',
          );
        await page.getByLabel('Taking evidence or statements').check();
        await page.getByLabel('Documents and records').check();
        await page
          .getByLabel('Purpose of the request')
          .fill('Evidence for the prosecution of the recruiters');
        await page
          .getByLabel('Action (recruitment, transportation…)')
          .fill('recruitment and transportation');
        await page.getByLabel('Means (not needed when the victim is a child)').fill('deception');
        await page.getByLabel('Purpose of exploitation').fill('sexual exploitation');
        // First naming the person the asylum authority registered: H-1 blocks, Send stays off.
        await page.getByLabel('Family name').fill('Adeyemi');
        await page.getByLabel('Given name').fill('Grace');
        await page.getByLabel('Nationality (ISO code, e.g. NG)').fill('NG');
        await page.getByLabel('The person’s role').selectOption('victim');
        const previewButton = page.getByRole('button', { name: 'Preview the policy decision' });
        await previewButton.click();
        const preview = page.getByRole('region', { name: 'Policy preview' });
        await preview.getByText(`${NG}: blocked`).waitFor();
        await preview.getByRole('cell', { name: 'H-1', exact: true }).waitFor();
        assert.equal(await send.isDisabled(), true, 'a blocked draft cannot be sent');
        await axeCheck(page, 'compose, blocked by H-1');
        await screenshot(page, SHOTS, '02-fr-compose-blocked');
        // Another person: the new draft needs its own preview before it can be sent.
        await page.getByLabel('Family name').fill('Okoro');
        await page.getByLabel('Given name').fill('Sunday');
        await page.getByLabel('The person’s role').selectOption('suspect');
        assert.equal(await preview.count(), 0, 'a changed draft drops its preview');
        await previewButton.click();
        await preview.getByText(`${NG}: allowed`).waitFor();
        await axeCheck(page, 'compose with the policy preview');
        await screenshot(page, SHOTS, '03-fr-compose-preview');
        await send.click();
        await page.getByRole('status').getByText('Sent').waitFor();
        await screenshot(page, SHOTS, '04-fr-sent');
      },
    },
    {
      name: 'the Nigerian caseworker sees it arrive live, and opens its thread and clocks',
      run: async () => {
        const page = ngCaseworker!;
        const row = page.getByRole('link', { name: CASE });
        await row.waitFor({ timeout: 60_000 });
        assert.equal(await page.evaluate('window.__sameDocument'), true, 'no reload: it came live');
        await page.getByText(`received from ${FR}`).first().waitFor();
        await axeCheck(page, 'mailbox (recipient, live)');
        await screenshot(page, SHOTS, '05-ng-mailbox-live');
        await row.click();
        await page.getByRole('heading', { level: 1, name: `Request ${CASE}` }).waitFor();
        await page.getByRole('heading', { name: 'Thread' }).waitFor();
        assert.ok((await page.locator('.timeline li').count()) >= 1, 'the thread has its message');
        await axeCheck(page, 'request view');
        await screenshot(page, SHOTS, '06-ng-request');
        // The language switch: the same page in French, then back.
        await page.getByLabel('Language').selectOption('fr');
        await page.getByRole('heading', { name: 'Fil des échanges' }).waitFor();
        assert.equal(await page.getAttribute('html', 'lang'), 'fr');
        await axeCheck(page, 'request view (French)');
        await page.getByLabel('Langue').selectOption('en');
        await page.getByRole('heading', { name: 'Thread' }).waitFor();
      },
    },
    {
      name: 'the auditor searches the trail and verifies the chain; sign-ins are in it',
      run: async () => {
        const { page } = await signedInConsole(
          browser!,
          network.url(FR),
          await token(FR, 'auditor'),
          problems,
          'fr auditor',
        );
        assert.deepEqual(await menu(page), ['Audit trail']);
        await page.getByRole('button', { name: 'Verify the chain' }).click();
        await page.getByText('The chain is intact').waitFor();
        await page.getByLabel('Event').fill('session.opened');
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByRole('cell', { name: 'session.opened' }).first().waitFor();
        await axeCheck(page, 'audit');
        await screenshot(page, SHOTS, '07-fr-audit');
        await signOut(page);
      },
    },
    {
      name: 'the monitor (a service account, with its API key) reads the statistics',
      run: async () => {
        const { page } = await signedInConsole(
          browser!,
          network.url(FR),
          monitorKey,
          problems,
          'fr monitor',
        );
        assert.deepEqual(await menu(page), ['Statistics']);
        await page.getByRole('table').waitFor();
        await axeCheck(page, 'statistics');
        await screenshot(page, SHOTS, '08-fr-statistics');
        await signOut(page);
      },
    },
    {
      name: 'the administrator lists the users',
      run: async () => {
        const { page } = await signedInConsole(
          browser!,
          network.url(FR),
          await token(FR, 'administrator'),
          problems,
          'fr administrator',
        );
        assert.deepEqual(await menu(page), ['Users']);
        await page.getByRole('cell', { name: accountName(FR, 'auditor') }).waitFor();
        await axeCheck(page, 'users');
        await signOut(page);
      },
    },
    {
      name: 'the caseworkers sign out: the session is over, and audited',
      run: async () => {
        for (const page of [frCaseworker!, ngCaseworker!]) await signOut(page);
        const me = await frCaseworker!.evaluate<number>(
          `fetch('/api/v1/me').then((r) => r.status)`,
        );
        assert.equal(me, 401);
        const { rows } = await db.query<{ event: string; n: number }>(
          `select event, count(*)::int as n from audit_log
           where event in ('session.opened', 'session.ended') group by event`,
        );
        const counts = Object.fromEntries(rows.map((r) => [r.event, r.n]));
        // FR: caseworker, asylum officer, auditor, monitor, administrator.
        assert.deepEqual(counts, { 'session.opened': 5, 'session.ended': 5 });
      },
    },
    {
      name: 'no page had a script error or a CSP refusal',
      run: async () => assert.deepEqual(problems.problems, []),
    },
  ];

  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
    for (const step of steps) {
      const started = Date.now();
      try {
        await step.run();
        results.push({ step: step.name, ok: true, ms: Date.now() - started });
      } catch (error) {
        results.push({
          step: step.name,
          ok: false,
          ms: Date.now() - started,
          error: error instanceof Error ? error.message : String(error),
        });
        // Later steps build on earlier ones: stop at the first failure.
        break;
      }
      console.log(JSON.stringify(results.at(-1)));
    }
  } finally {
    await browser?.close();
    await db.end();
    await network.stopAll();
  }
  const failed = results.filter((r) => !r.ok);
  for (const failure of failed) console.error(JSON.stringify(failure));
  const passed = results.length - failed.length;
  console.log(`${passed} passed, ${failed.length + (steps.length - results.length)} failed`);
  return failed.length === 0 && results.length === steps.length ? 0 : 1;
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
}

process.exitCode = await main();
