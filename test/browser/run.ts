/**
 * The browser suite (`npm run test:browser`): Debian's Chromium driven by playwright-core through
 * the officer console of a real local network (two nodes of gateway and worker processes, on
 * ports 4331-4332). A French caseworker signs in, previews and sends an MLA request; the Nigerian
 * caseworker sees it arrive live, acknowledges it from its thread (the French side sees the
 * answer) and forwards it to IT once consent is on record; a warned request goes to a supervisor,
 * who acknowledges it; files are attached (progress, pause, a resumed upload, a rule shown at its
 * file) and downloaded by NG, who acknowledges with a file of its own that FR downloads; the French caseworker then withdraws the warned request after
 * confirming; a
 * repatriation officer composes a nationality-verification request through the form generated
 * from its schema (checklist, inline refusal, preview); the asylum officer registers a person, whom H-1 then shields
 * from the caseworker's draft (the register is in no caseworker's menu); auditor, monitor and administrator open their pages (the auditor downloads a message's evidence bundle, from an entry and by its id, and is told of an unknown id); the administrator issues an API key and revokes it, reads the directory's key expiry states, and retries a delivery that failed while IT's node was down (port 4363) and sees it delivered; everyone signs out. axe-core checks
 * each page visited. Screenshots go to dist/test/browser/screenshots.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Role } from '#libs/access';
import {
  accountName,
  LocalNetwork,
  minimalPdf,
  mlaRequest,
  repoRoot,
  SAMPLE_HANDLING,
} from '#tools/local-network';
import { axeCheck, menu, PageProblems, screenshot, signedInConsole } from './console.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
/** In the directory, started late: what FR sends it first fails, for the administrator to retry. */
const IT = 'IT-MOJ-DAG';
const ALL = ['mla', 'jit', 'nationality-verification', 'assets'] as const;
const SHOTS = join(repoRoot(), 'dist', 'test', 'browser', 'screenshots');
const CASE = `FR-CONSOLE-${Date.now().toString(36).toUpperCase()}`;
const WARNED_CASE = `${CASE}-W6`;
/** A request with a file attached through the console (tus upload). */
const FILES_CASE = `${CASE}-F`;
/** A return case, composed through the form generated from the schema. */
const RETURN_CASE = `FR-OFII-${Date.now().toString(36).toUpperCase()}`;

type Step = { name: string; run: () => Promise<void> };

async function main(): Promise<number> {
  if (!existsSync(CHROMIUM)) {
    // On a developer's machine the suite may be skipped; in CI a missing browser is a failure.
    const ci = process.env.CI === 'true';
    console.log(
      `no Chromium at ${CHROMIUM} (apt-get install -y chromium): the browser suite ${ci ? 'fails' : 'is skipped'}`,
    );
    return ci ? 1 : 0;
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
      {
        authorityId: IT,
        state: 'IT',
        name: 'Direzione generale degli affari internazionali',
        kind: 'central-authority',
        procedures: [...ALL],
        port: 4363,
      },
    ],
    env: {
      LOG_LEVEL: 'warn',
      // Short, so that the delivery to IT's node (down) fails while the first steps run.
      GATEWAY_RETRY_WINDOW_MS: '5000',
      GATEWAY_DELIVERY_TIMEOUT_MS: '2000',
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
  // IT's key ends within 30 days: the directory page warns of it (the others have no end date).
  const itEntry = join(network.options.workDir, 'directory', `${IT}.json`);
  const entry = JSON.parse(readFileSync(itEntry, 'utf8')) as {
    keys: Array<{ validUntil?: string }>;
  };
  entry.keys[0].validUntil = new Date(Date.now() + 10 * 86_400_000).toISOString();
  writeFileSync(itEntry, `${JSON.stringify(entry, null, 2)}\n`);
  await network.publishDirectory();
  for (const id of [FR, NG]) {
    network.start(id, 'gateway');
    network.start(id, 'worker');
  }
  await Promise.all([network.waitReady(FR), network.waitReady(NG)]);

  const token = (authorityId: string, role: Role) =>
    network.token(authorityId, accountName(authorityId, role));
  const undelivered = await sendToItWhileDown(network.url(FR), await token(FR, 'supervisor'));
  const problems = new PageProblems();
  const db = new pg.Pool({
    connectionString: network.databaseUrl,
    max: 1,
    options: `-c search_path=${network.schema(FR)}`,
  });
  let browser: Browser | undefined;
  let frCaseworker: Page | undefined;
  let ngCaseworker: Page | undefined;
  let administrator: Page | undefined;
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
        assert.deepEqual(await menu(page), [
          'Mailbox',
          'New MLA request',
          'New request',
          'Directory',
        ]);
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
        // Coded values by their label (the code in the title): the side and the opening message.
        const side = page.locator('dl.facts [title="requested"]');
        assert.equal(await side.textContent(), 'Requested');
        await page.locator('.timeline [title="request"]').getByText('Request').first().waitFor();
        await axeCheck(page, 'request view');
        await screenshot(page, SHOTS, '06-ng-request');
        // The language switch: the same page in French, then back.
        await page.getByLabel('Language').selectOption('fr');
        await page.getByRole('heading', { name: 'Fil des échanges' }).waitFor();
        assert.equal(await page.getAttribute('html', 'lang'), 'fr');
        assert.equal(await side.textContent(), 'Requise');
        await axeCheck(page, 'request view (French)');
        await page.getByLabel('Langue').selectOption('en');
        await page.getByRole('heading', { name: 'Thread' }).waitFor();
      },
    },
    {
      name: 'the Nigerian caseworker acknowledges the French request from its thread: the types its side sends, the generated form, the policy preview, sent',
      run: async () => {
        const page = ngCaseworker!;
        // The requested side answers and forwards; it does not withdraw.
        assert.equal(await page.getByRole('button', { name: 'Withdraw', exact: true }).count(), 0);
        const answer = page.getByRole('button', { name: 'Answer', exact: true });
        await answer.focus();
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { name: 'Answer in this request' }).waitFor();
        assert.equal(await answer.getAttribute('aria-expanded'), 'true');
        const type = page.getByLabel('Message', { exact: true });
        // The message types arrive with GET /api/v1/procedures.
        await type.locator('option', { hasText: 'acknowledgement' }).waitFor({ state: 'attached' });
        const types = await type.locator('option').allTextContents();
        // Labelled from the locales; only what the request's state lets this side send next.
        assert.ok(types.includes('Acknowledgement of receipt'), 'the requested side acknowledges');
        assert.ok(!types.includes('Additional information'), 'not a type of the requesting side');
        assert.ok(!types.includes('Refusal'), 'no refusal before the request is acknowledged');
        await axeCheck(page, 'request view, answering');
        await type.selectOption('acknowledgement');
        // The request's handling conditions, from its opening message.
        const purpose = page.getByLabel('Permitted purpose (speciality)');
        await page.waitForFunction(
          () =>
            (document.getElementById('answer-permittedPurpose') as HTMLInputElement | null)
              ?.value !== '',
        );
        assert.equal(
          await purpose.inputValue(),
          `Criminal proceedings ${CASE} (trafficking in persons)`,
        );
        const checklist = page.getByRole('region', {
          name: 'Before sending: missing essential content',
        });
        await page.getByLabel('Received at').fill(new Date().toISOString());
        await checklist.getByText('Nothing essential is missing.').waitFor();
        const send = page.getByRole('button', { name: 'Send', exact: true });
        assert.equal(await send.isDisabled(), true, 'no sending before a preview');
        await page.getByRole('button', { name: 'Preview the policy decision' }).click();
        const preview = page.getByRole('region', { name: 'Policy preview' });
        await preview.getByText(`${FR}: allowed`).waitFor();
        await axeCheck(page, 'request view, answer with the policy preview');
        await screenshot(page, SHOTS, '06d-ng-answer-preview');
        await send.click();
        await page.getByRole('status').getByText('Sent: the answer is queued').waitFor();
        await page.locator('.timeline li').filter({ hasText: 'acknowledgement' }).waitFor();
        await axeCheck(page, 'request view, answer sent');
      },
    },
    {
      name: 'the Nigerian caseworker forwards the request to IT: confidentiality needs the French consent, then the onward-transfer preview, forwarded',
      run: async () => {
        const page = ngCaseworker!;
        await page.getByRole('button', { name: 'Forward', exact: true }).click();
        await page.getByRole('heading', { name: 'Forward received content' }).waitFor();
        await page.getByLabel('Message to forward').selectOption({ index: 1 });
        const arrived = page.getByRole('region', { name: 'Handling conditions it arrived with' });
        await arrived.getByText(`Criminal proceedings ${CASE} (trafficking in persons)`).waitFor();
        await page.getByLabel('Recipient authority').selectOption(IT);
        const previewButton = page.getByRole('button', { name: 'Preview the onward transfer' });
        // Confidential content, no consent on record: refused inline, with the rule.
        await previewButton.click();
        const refusal = page.getByRole('alert');
        await refusal.getByText('POLICY_BLOCKED', { exact: true }).waitFor();
        await refusal.getByText('UNTOC 18(20)', { exact: true }).waitFor();
        await axeCheck(page, 'request view, forwarding refused');
        await page
          .getByLabel('Reference of the sending State’s consent')
          .fill('BEPI consent 2026/118');
        await previewButton.click();
        const preview = page.getByRole('region', { name: 'Policy preview' });
        // Allowed, or warned (a supervisor then acknowledges): never blocked once consent is in.
        await preview.getByText(new RegExp(`^${IT}: (allowed|warning)`)).waitFor();
        await axeCheck(page, 'request view, onward-transfer preview');
        await screenshot(page, SHOTS, '06e-ng-forward-preview');
        await page.getByRole('button', { name: 'Forward the content' }).click();
        await page
          .getByRole('status')
          .getByText(/^(Forwarded|Sent to a supervisor)/)
          .waitFor();
      },
    },
    {
      name: 'a supervisor acknowledges a warning: the caseworker’s warned request waits for them, then goes',
      run: async () => {
        const page = frCaseworker!;
        // The same form for another case, naming asylum in the facts: W-6 warns (NG may be a
        // country of origin), and the caseworker's Send puts the draft before a supervisor.
        await page.getByLabel('Case reference').fill(WARNED_CASE);
        await page
          .getByLabel('Summary of the facts')
          .fill(
            'Recruiters in Benin City arranged travel to France. One victim told the officers she had applied for asylum in France.',
          );
        await page.getByRole('button', { name: 'Preview the policy decision' }).click();
        const preview = page.getByRole('region', { name: 'Policy preview' });
        await preview.getByRole('cell', { name: 'W-6', exact: true }).waitFor();
        await page.getByRole('button', { name: 'Send', exact: true }).click();
        const notice = page.getByRole('status').getByText('Sent to a supervisor');
        await notice.waitFor();
        const id = /submission ([0-9a-f-]{36})/.exec((await notice.textContent()) ?? '')?.[1];
        assert.ok(id, 'the caseworker is told which submission waits');
        await axeCheck(page, 'compose, sent to a supervisor');
        await screenshot(page, SHOTS, '06s1-fr-compose-supervisor');

        const { page: supervisor } = await signedInConsole(
          browser!,
          network.url(FR),
          await token(FR, 'supervisor'),
          problems,
          'fr supervisor',
        );
        assert.ok((await menu(supervisor)).includes('Supervision'), 'supervisors see Supervision');
        await supervisor.getByRole('link', { name: 'Supervision', exact: true }).click();
        await supervisor
          .getByRole('heading', {
            level: 1,
            name: 'Supervision: submissions awaiting a supervisor',
          })
          .waitFor();
        const link = supervisor.locator(`a[href="#/supervision/${id}"]`);
        await link.waitFor();
        await axeCheck(supervisor, 'supervision');
        await screenshot(supervisor, SHOTS, '06s2-fr-supervision');
        await link.click();
        await supervisor
          .getByRole('heading', { level: 1, name: 'Submission awaiting a supervisor' })
          .waitFor();
        await supervisor.getByText(accountName(FR, 'central-authority-officer')).first().waitFor();
        const justification = supervisor.getByLabel('Your written justification for W-6');
        // A blank justification is refused inline, with its code and the rule.
        await justification.fill('   ');
        await supervisor.getByRole('button', { name: 'Acknowledge and send' }).click();
        await supervisor.getByRole('alert').getByText('VALIDATION_FAILED').waitFor();
        await axeCheck(supervisor, 'supervision detail, refused');
        await justification.fill('The victim is not a national of NG; NG must know of the claim.');
        await supervisor.getByRole('button', { name: 'Acknowledge and send' }).click();
        await supervisor.getByRole('status').getByText('Acknowledged').waitFor();
        await axeCheck(supervisor, 'supervision detail, acknowledged');
        await screenshot(supervisor, SHOTS, '06s3-fr-supervision-acknowledged');
        const { rows } = await db.query<{ n: number }>(
          `select count(*)::int as n from messages where case_reference = $1`,
          [WARNED_CASE],
        );
        assert.deepEqual(rows, [{ n: 1 }], 'the acknowledged request is sent, once');
        await signOut(supervisor);
      },
    },
    {
      name: 'the French caseworker attaches files: progress, pause, resume after a network cut, W-6 found in a PDF and shown at it, removed; the preview, sent; the Nigerian caseworker downloads the file',
      run: async () => {
        const page = frCaseworker!;
        const dir = mkdtempSync(join(tmpdir(), 'console-files-'));
        const letter = join(dir, 'courrier.pdf');
        writeFileSync(letter, minimalPdf(["Objet : demande d'asile", 'Refugiee (Syrie)']));
        const statementText =
          'Witness statement: the recruiter met the victims at the Benin City motor park in May.\n';
        const statement = join(dir, 'statement.txt');
        writeFileSync(statement, statementText);

        // The same form for another case, without asylum terms in the facts.
        await page.getByLabel('Case reference').fill(FILES_CASE);
        await page
          .getByLabel('Summary of the facts')
          .fill(
            'Recruiters in Benin City arranged travel to France; victims were exploited in Paris.',
          );
        const input = page.getByLabel('Add files');
        const previewButton = page.getByRole('button', { name: 'Preview the policy decision' });
        const preview = page.getByRole('region', { name: 'Policy preview' });

        // A PDF whose text names asylum: W-6 is shown at the file, with its rule id.
        await input.setInputFiles(letter);
        await page.getByText(/^100 % · uploaded/).waitFor();
        await previewButton.click();
        await preview.getByRole('cell', { name: 'W-6', exact: true }).waitFor();
        const found = page.getByRole('list', { name: 'Rules applied to courrier.pdf' });
        await found.getByText('W-6').waitFor();
        await axeCheck(page, 'compose with a file, W-6 found in it');
        await screenshot(page, SHOTS, '06f1-fr-compose-file-w6');
        await page.getByRole('button', { name: 'Remove: courrier.pdf' }).click();
        await preview.waitFor({ state: 'detached' });

        // The statement: its first PATCH is held (Pause stops it), the next one cut (the upload
        // resumes by itself from the gateway's offset), then the bytes go through.
        const requests: string[] = [];
        let patches = 0;
        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        let holding: () => void = () => undefined;
        const firstPatchHeld = new Promise<void>((resolve) => (holding = resolve));
        await page.route('**/api/v1/uploads**', async (route) => {
          const method = route.request().method();
          requests.push(method);
          if (method === 'PATCH') {
            patches += 1;
            if (patches === 1) {
              holding();
              await held;
              return route.abort('aborted').catch(() => undefined);
            }
            if (patches === 2) return route.abort('connectionreset');
          }
          return route.continue();
        });
        await input.setInputFiles(statement);
        const pause = page.getByRole('button', { name: 'Pause: statement.txt' });
        await firstPatchHeld;
        await pause.click();
        await page.getByText(/· paused/).waitFor();
        release();
        assert.equal(
          await page.getByRole('button', { name: 'Send', exact: true }).isDisabled(),
          true,
          'no sending while a file is not uploaded',
        );
        await axeCheck(page, 'compose with a paused upload');
        await page.getByRole('button', { name: 'Resume: statement.txt' }).click();
        const progress = page.getByRole('progressbar', { name: 'Upload of statement.txt' });
        await page.getByText(/^100 % · uploaded/).waitFor();
        assert.equal(await progress.getAttribute('value'), '100');
        await page.unroute('**/api/v1/uploads**');
        assert.ok(patches >= 3, `the upload resumed after the cut (${requests.join(' ')})`);
        assert.ok(
          requests.filter((m) => m === 'HEAD').length >= 2,
          `each resumption asked the gateway for its offset (${requests.join(' ')})`,
        );
        await page.getByLabel('What statement.txt is').selectOption('evidence-item');

        // The preview takes the submission with its attachments; then it is sent.
        await previewButton.click();
        await preview.getByText(`${NG}: allowed`).waitFor();
        await axeCheck(page, 'compose with a file attached and the preview');
        await screenshot(page, SHOTS, '06f2-fr-compose-file-preview');
        await page.getByRole('button', { name: 'Send', exact: true }).click();
        await page.getByRole('status').filter({ hasText: 'Sent:' }).waitFor();
        const { rows } = await db.query<{ id: string }>(
          `select m.id from messages m join message_attachments a on a.message_id = m.id
           where m.case_reference = $1`,
          [FILES_CASE],
        );
        assert.equal(rows.length, 1, 'the request is sent with its one file');
        const messageId = rows[0].id;

        // The Nigerian caseworker: the request arrives with its file, which downloads whole.
        const ng = ngCaseworker!;
        await ng.getByRole('link', { name: 'Mailbox', exact: true }).click();
        const row = ng.getByRole('link', { name: FILES_CASE });
        await row.waitFor({ timeout: 60_000 });
        // Delivered: the receipt names the file, every chunk of it arrived.
        await waitForStatus(db, messageId, 'delivered');
        await row.click();
        await ng.getByRole('heading', { level: 1, name: `Request ${FILES_CASE}` }).waitFor();
        const link = ng.getByRole('link', { name: 'Download statement.txt' });
        await link.waitFor();
        await ng.getByText('(Evidence item').waitFor();
        await axeCheck(ng, 'request view with a received file');
        await screenshot(ng, SHOTS, '06f3-ng-request-file');
        const [download] = await Promise.all([ng.waitForEvent('download'), link.click()]);
        assert.equal(download.suggestedFilename(), 'statement.txt');
        assert.equal(readFileSync(await download.path(), 'utf8'), statementText);
      },
    },
    {
      name: 'the Nigerian caseworker acknowledges the request with a certified copy uploaded from the Answer panel; the French caseworker downloads it from the thread',
      run: async () => {
        const ng = ngCaseworker!;
        const copyText =
          'Certified copy of the account statements, January to May, as kept by the bank.\n';
        const copy = join(mkdtempSync(join(tmpdir(), 'console-answer-')), 'certified-copy.txt');
        writeFileSync(copy, copyText);
        // On the request that arrived with a file (previous step): answered with one.
        await ng.getByRole('button', { name: 'Answer', exact: true }).click();
        await ng.getByRole('heading', { name: 'Answer in this request' }).waitFor();
        const type = ng.getByLabel('Message', { exact: true });
        await type.locator('option', { hasText: 'acknowledgement' }).waitFor({ state: 'attached' });
        await type.selectOption('acknowledgement');
        await ng.getByLabel('Received at').fill(new Date().toISOString());
        await ng.getByLabel('Add files').setInputFiles(copy);
        await ng.getByText(/^100 % · uploaded/).waitFor();
        await ng.getByLabel('What certified-copy.txt is').selectOption('evidence-item');
        await ng.getByRole('button', { name: 'Preview the policy decision' }).click();
        await ng
          .getByRole('region', { name: 'Policy preview' })
          .getByText(`${FR}: allowed`)
          .waitFor();
        await axeCheck(ng, 'request view, answer with a file and the policy preview');
        await screenshot(ng, SHOTS, '06f4-ng-answer-file');
        await ng.getByRole('button', { name: 'Send', exact: true }).click();
        await ng.getByRole('status').getByText('Sent: the answer is queued').waitFor();

        // The French caseworker: the answer's file, in the thread, downloads whole.
        const page = frCaseworker!;
        await page.getByRole('link', { name: 'Mailbox', exact: true }).click();
        await page.getByRole('link', { name: FILES_CASE, exact: true }).click();
        const heading = page.getByRole('heading', { level: 1, name: `Request ${FILES_CASE}` });
        await heading.waitFor();
        const link = page.getByRole('link', { name: 'Download certified-copy.txt' });
        // The request view reads the thread when it opens: reopened until the answer is in.
        for (let attempt = 0; (await link.count()) === 0; attempt++) {
          assert.ok(attempt < 60, 'the answer with its file reaches the French thread');
          await new Promise((resolve) => setTimeout(resolve, 500));
          await page.reload();
          await heading.waitFor();
        }
        // Downloadable once every chunk arrived (the link is there with the envelope).
        for (let attempt = 0; ; attempt++) {
          const { rows } = await db.query<{ n: number }>(
            `select count(*)::int as n from message_attachments a join messages m on m.id = a.message_id
             where m.case_reference = $1 and a.direction = 'inbound' and a.completed_at is not null`,
            [FILES_CASE],
          );
          if (rows[0].n === 1) break;
          assert.ok(attempt < 120, 'the answer’s file arrives whole');
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        await axeCheck(page, 'request view with a file received in an answer');
        await screenshot(page, SHOTS, '06f5-fr-answer-file');
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        assert.equal(download.suggestedFilename(), 'certified-copy.txt');
        assert.equal(readFileSync(await download.path(), 'utf8'), copyText);
      },
    },
    {
      name: 'the French caseworker sees the acknowledgement in the thread, and withdraws the warned request after confirming',
      run: async () => {
        const page = frCaseworker!;
        await page.getByRole('link', { name: 'Mailbox', exact: true }).click();
        await page.getByRole('heading', { level: 1, name: 'Mailbox' }).waitFor();
        await page.getByRole('link', { name: CASE, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: `Request ${CASE}` }).waitFor();
        const acknowledged = page
          .locator('.timeline li')
          .filter({ hasText: 'acknowledgement' })
          .filter({ hasText: 'received' });
        // The request view reads the thread when it opens: reopened until the answer is in.
        for (let attempt = 0; (await acknowledged.count()) === 0; attempt++) {
          assert.ok(attempt < 60, 'the acknowledgement reaches the French thread');
          await new Promise((resolve) => setTimeout(resolve, 500));
          await page.reload();
          await page.getByRole('heading', { level: 1, name: `Request ${CASE}` }).waitFor();
        }
        await axeCheck(page, 'request view (requesting side, acknowledged)');
        await screenshot(page, SHOTS, '06f-fr-acknowledged');
        // The warned request, sent once a supervisor acknowledged W-6: withdrawn from its thread.
        await page.getByRole('link', { name: 'Back to the mailbox' }).click();
        await page.getByRole('link', { name: WARNED_CASE, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: `Request ${WARNED_CASE}` }).waitFor();
        await page.getByRole('button', { name: 'Withdraw', exact: true }).click();
        await page.getByRole('heading', { name: 'Withdraw this request' }).waitFor();
        await page
          .getByLabel('Reasons for the withdrawal')
          .fill('The evidence was obtained by other means; the request is no longer needed.');
        await page.getByRole('button', { name: 'Withdraw the request…' }).click();
        const confirm = page.getByRole('button', { name: 'Confirm the withdrawal' });
        await confirm.waitFor();
        assert.equal(await confirm.evaluate((el) => el === document.activeElement), true);
        await axeCheck(page, 'request view, confirming a withdrawal');
        await page.keyboard.press('Enter');
        // The thread is read again once the withdrawal is queued; the outcome stays in view after.
        await page.locator('.timeline li').filter({ hasText: 'withdrawal' }).waitFor();
        await page.getByRole('status').getByText('Withdrawn').waitFor();
        await axeCheck(page, 'request view, withdrawn');
        await screenshot(page, SHOTS, '06g-fr-withdrawn');
      },
    },
    {
      name: 'a repatriation officer composes a nationality-verification request through the generated form: the checklist and the API name what is missing, then the preview, sent',
      run: async () => {
        await recordReturnFacts(network.url(FR), await token(FR, 'supervisor'), RETURN_CASE);
        const { page } = await signedInConsole(
          browser!,
          network.url(FR),
          await token(FR, 'repatriation-officer'),
          problems,
          'fr repatriation officer',
        );
        assert.deepEqual(await menu(page), ['Mailbox', 'New request', 'Directory']);
        await page.getByRole('link', { name: 'New request' }).click();
        await page.getByRole('heading', { level: 1, name: 'New request' }).waitFor();
        await page
          .getByLabel('Procedure', { exact: true })
          .selectOption({ label: 'Nationality verification' });
        assert.equal(
          await page.getByLabel('Message', { exact: true }).inputValue(),
          'verification-request',
        );
        await page.getByLabel('Recipient authority').selectOption(NG);
        await page.getByLabel('Case reference').fill(RETURN_CASE);
        await page
          .getByLabel('Permitted purpose (speciality)')
          .fill('Verification of nationality for a voluntary return (TIP art. 8)');
        await page.getByLabel('Family names 1').fill('Okafor');
        await page.getByRole('button', { name: 'Add: Given names' }).click();
        await page.getByLabel('Given names 1').fill('Chidi');
        await page.getByLabel('Date of birth').fill('1994-05');
        // The place of birth is left out: the checklist names it, with its legal basis.
        const checklist = page.getByRole('region', {
          name: 'Before sending: missing essential content',
        });
        const missing = checklist.getByRole('listitem').filter({ hasText: 'Place of birth' });
        await missing.getByText('TIP art. 8(3)').waitFor();
        await axeCheck(page, 'generated form with its checklist');
        await screenshot(page, SHOTS, '06b-fr-generated-form-checklist');
        // Asked anyway, the API refuses it: the refusal is shown at the field, with the rule.
        const previewButton = page.getByRole('button', { name: 'Preview the policy decision' });
        await previewButton.click();
        const refusal = page.locator('#form-person-placeOfBirth-error');
        await refusal.getByText('TIP art. 8(3)').waitFor();
        assert.equal(await page.getByLabel('Place of birth').getAttribute('aria-invalid'), 'true');
        await axeCheck(page, 'generated form with an inline refusal');
        await page.getByLabel('Place of birth').fill('Benin City');
        await missing.waitFor({ state: 'detached' });
        await previewButton.click();
        const preview = page.getByRole('region', { name: 'Policy preview' });
        await preview.getByText(`${NG}: allowed`).waitFor();
        await axeCheck(page, 'generated form with the policy preview');
        await screenshot(page, SHOTS, '06c-fr-generated-form-preview');
        await page.getByRole('button', { name: 'Send', exact: true }).click();
        await page.getByRole('status').getByText('Sent').waitFor();
        await signOut(page);
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
        assert.deepEqual(await menu(page), ['Audit trail', 'Directory']);
        await page.getByRole('button', { name: 'Verify the chain' }).click();
        await page.getByText('The chain is intact').waitFor();
        await page.getByLabel('Event').fill('session.opened');
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByRole('cell', { name: 'session.opened' }).first().waitFor();
        await axeCheck(page, 'audit');
        await screenshot(page, SHOTS, '07-fr-audit');
        // The evidence bundle of a message an entry names: the French request as sent.
        await page.getByLabel('Event').fill('message.sent');
        await page.getByRole('button', { name: 'Search' }).click();
        const named = page.getByRole('button', {
          name: /^Download evidence bundle of message /,
        });
        await named.first().waitFor();
        const label = (await named.first().getAttribute('aria-label')) ?? '';
        const messageId = label.replace('Download evidence bundle of message ', '');
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          named.first().click(),
        ]);
        assert.equal(download.suggestedFilename(), `evidence-${messageId}.json`);
        const bundle = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
          format: string;
          message: { id: string; messageType: string };
          audit: Array<{ event: string }>;
        };
        assert.equal(bundle.format, 'tip-gateway-evidence/1');
        assert.equal(bundle.message.id, messageId);
        assert.ok(bundle.audit.some((entry) => entry.event === 'message.sent'));
        // By a typed id: the same bundle; an unknown id answers the API's code and message.
        const typed = page.getByLabel('Message id');
        await typed.fill(messageId);
        const again = page.getByRole('button', { name: 'Download evidence bundle', exact: true });
        const [second] = await Promise.all([page.waitForEvent('download'), again.click()]);
        assert.equal(second.suggestedFilename(), `evidence-${messageId}.json`);
        await typed.fill('01960000-0000-7000-8000-00000000dead');
        await again.click();
        await page.getByRole('alert').getByText('MESSAGE_NOT_FOUND').waitFor();
        await axeCheck(page, 'audit, evidence download refused');
        await screenshot(page, SHOTS, '07b-fr-audit-evidence');
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
        await page.getByRole('table').first().waitFor();
        // The operational indicators: the French caseworker's request is a bar of its own chart
        // (suppressed: one request), its figures a table, and the CSV one link away.
        const chart = page.getByRole('img', { name: /^Requests made/ });
        await chart.waitFor();
        assert.match(
          (await chart.locator('desc').textContent()) ?? '',
          /Mutual legal assistance: suppressed/,
        );
        await page.getByRole('table', { name: 'Requests made: figures and breakdowns' }).waitFor();
        const csv = await page.getByRole('link', { name: 'Download as CSV' }).getAttribute('href');
        assert.match(csv ?? '', /format=csv/);
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
        assert.deepEqual(await menu(page), ['Users', 'API keys', 'Deliveries', 'Directory']);
        await page.getByRole('cell', { name: accountName(FR, 'auditor') }).waitFor();
        await axeCheck(page, 'users');
        administrator = page;
      },
    },
    {
      name: 'the administrator issues an API key for a service account (shown once, copied), then revokes it after confirming: it is refused at once, and audited',
      run: async () => {
        const page = administrator!;
        const label = 'browser revocation';
        const viaKey = (key: string) =>
          fetch(`${network.url(FR)}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } });
        await page.getByRole('link', { name: 'API keys' }).click();
        await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
        // The monitor's key, issued through the CLI, is listed; neither it nor its hash is shown.
        await page.getByRole('row').filter({ hasText: 'browser suite' }).waitFor();
        assert.equal(await page.getByText(monitorKey).count(), 0);
        await axeCheck(page, 'api keys');
        await page.getByLabel('Service account').selectOption('statistics.export');
        await page.getByLabel('Label', { exact: true }).fill(label);
        await page.getByRole('button', { name: 'Issue a key' }).click();
        await page.getByRole('heading', { name: 'New API key for statistics.export' }).waitFor();
        await page.getByText('it will not be shown again').waitFor();
        const field = page.getByRole('textbox', { name: 'New API key' });
        assert.equal(await field.evaluate((el) => el === document.activeElement), true);
        const key = await field.inputValue();
        assert.equal((await viaKey(key)).status, 200);
        await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
        await page.getByRole('button', { name: 'Copy the key' }).click();
        await page.getByText('The key has been copied to the clipboard.').waitFor();
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
        await axeCheck(page, 'api keys, new key shown');
        await screenshot(page, SHOTS, '09-fr-api-key-issued');
        await page.getByRole('button', { name: 'I have kept the key' }).click();
        assert.equal(await field.count(), 0);
        // From the keyboard: the row's button, then the confirmation (focused on its button).
        await page
          .getByRole('button', { name: `Revoke: key ${label} of statistics.export` })
          .focus();
        await page.keyboard.press('Enter');
        const confirm = page.getByRole('button', { name: 'Confirm the revocation' });
        await confirm.waitFor();
        assert.equal(await confirm.evaluate((el) => el === document.activeElement), true);
        await axeCheck(page, 'api keys, confirming a revocation');
        await page.keyboard.press('Enter');
        await page
          .getByRole('status')
          .getByText(`Key ${label} of statistics.export has been revoked.`)
          .waitFor();
        await page.getByRole('row').filter({ hasText: label }).getByText('Revoked on').waitFor();
        assert.equal((await viaKey(key)).status, 401);
        assert.equal((await viaKey(monitorKey)).status, 200);
        const { rows } = await db.query<{ actor: string; username: string }>(
          `select actor, details->>'username' as username from audit_log
            where event = 'api-key.revoked' and details->>'label' = $1`,
          [label],
        );
        assert.deepEqual(rows, [
          { actor: `${accountName(FR, 'administrator')}@${FR}`, username: 'statistics.export' },
        ]);
      },
    },
    {
      name: 'the administrator opens the Directory: each authority’s keys with their expiry state, this node’s own keys, a filter by State and text',
      run: async () => {
        const page = administrator!;
        await page.getByRole('link', { name: 'Directory' }).click();
        await page.getByRole('heading', { level: 1, name: 'Directory' }).waitFor();
        const own = page.getByRole('region', { name: 'This node’s keys' });
        await own.getByRole('cell', { name: 'Valid', exact: true }).waitFor();
        const italy = page.getByRole('region', { name: /Direzione generale/ });
        await italy.getByRole('cell', { name: /^Expires soon · (9|10) days left$/ }).waitFor();
        await page
          .getByRole('region', { name: /Central Authority Unit/ })
          .getByRole('cell', { name: 'Valid', exact: true })
          .waitFor();
        await page.getByText('3 of 3 authorities shown').waitFor();
        await axeCheck(page, 'directory');
        await screenshot(page, SHOTS, '10-fr-directory');
        // The full fingerprint, one keystroke away.
        const summary = italy.locator('summary');
        await summary.focus();
        await page.keyboard.press('Enter');
        const full = await italy.locator('code.fingerprint').textContent();
        assert.match(full ?? '', /^[0-9A-F]{40,64}$/i);
        await page.getByLabel('State', { exact: true }).selectOption('NG');
        await page.getByText('1 of 3 authorities shown').waitFor();
        await page.getByLabel('State', { exact: true }).selectOption('');
        await page.getByLabel(/^Search/).fill('direzione');
        await page.getByText('1 of 3 authorities shown').waitFor();
        await italy.waitFor();
        await page.getByLabel(/^Search/).fill('');
      },
    },
    {
      name: 'the administrator opens Deliveries, retries a failed delivery once IT is back, and sees it delivered',
      run: async () => {
        const page = administrator!;
        await waitForStatus(db, undelivered, 'failed');
        await page.getByRole('link', { name: 'Deliveries' }).click();
        await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
        await page.getByLabel('Status').selectOption('failed');
        const row = page.getByRole('row').filter({ hasText: undelivered });
        await row.getByText('peer unreachable').waitFor();
        await page.getByRole('heading', { name: 'Delivery queue' }).waitFor();
        await axeCheck(page, 'deliveries');
        await screenshot(page, SHOTS, '11-fr-deliveries');
        network.start(IT, 'gateway');
        network.start(IT, 'worker');
        await network.waitReady(IT);
        // From the keyboard: the row's button, then the confirmation (focused on its button).
        await page
          .getByRole('button', { name: `Retry now: message ${undelivered} to ${IT}` })
          .focus();
        await page.keyboard.press('Enter');
        const confirm = page.getByRole('button', { name: 'Confirm the retry' });
        await confirm.waitFor();
        assert.equal(await confirm.evaluate((el) => el === document.activeElement), true);
        await axeCheck(page, 'deliveries, confirming a retry');
        await page.keyboard.press('Enter');
        await page
          .getByRole('status')
          .getByText(`Message ${undelivered} has been delivered.`)
          .waitFor({
            timeout: 30_000,
          });
        await waitForStatus(db, undelivered, 'delivered');
        await screenshot(page, SHOTS, '12-fr-deliveries-retried');
        const { rows } = await db.query<{ actor: string }>(
          `select actor from audit_log where event = 'delivery.retry-requested' and message_id = $1`,
          [undelivered],
        );
        assert.deepEqual(rows, [{ actor: `${accountName(FR, 'administrator')}@${FR}` }]);
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
        // FR: caseworker, supervisor, asylum officer, repatriation officer, auditor, monitor,
        // administrator.
        assert.deepEqual(counts, { 'session.opened': 7, 'session.ended': 7 });
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

/** An MLA request from FR to IT, whose node is not started: its delivery fails when the window closes. */
async function sendToItWhileDown(frUrl: string, supervisorToken: string): Promise<string> {
  const response = await fetch(`${frUrl}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${supervisorToken}` },
    body: JSON.stringify({
      procedure: 'mla',
      messageType: 'request',
      recipients: [IT],
      caseReference: `${CASE}-IT`,
      handling: SAMPLE_HANDLING,
      body: mlaRequest(FR),
    }),
  });
  assert.equal(response.status, 202, 'the request to IT is accepted');
  const accepted = (await response.json()) as { messages: Array<{ messageId: string }> };
  return accepted.messages[0].messageId;
}

/**
 * What the safeguards need on record before a return is verified: the legal basis (W-2), and an
 * individual risk assessment concluding no risk and a voluntary return (H-4, W-1).
 */
async function recordReturnFacts(frUrl: string, supervisorToken: string, reference: string) {
  const response = await fetch(`${frUrl}/api/v1/cases/${reference}/facts`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${supervisorToken}` },
    body: JSON.stringify({
      procedure: 'nationality-verification',
      legalBasisRecorded: true,
      justification: 'Recorded from the case file',
      persons: [
        {
          personIndex: 0,
          subjectOfCase: true,
          asylum: { status: 'none', shieldFrom: [] },
          riskAssessment: {
            done: true,
            at: new Date().toISOString().slice(0, 10),
            outcome: 'no-risk',
          },
          returnVoluntary: true,
          openProceedings: [],
        },
      ],
    }),
  });
  assert.equal(response.status, 200, `the facts of ${reference} are recorded`);
}

async function waitForStatus(db: pg.Pool, messageId: string, status: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await db.query<{ status: string }>(
      'select status from messages where id = $1',
      [messageId],
    );
    if (rows[0]?.status === status) return;
    if (Date.now() > deadline) throw new Error(`${messageId} is ${rows[0]?.status}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
}

process.exitCode = await main();
