// axe-core (WCAG 2.2 AA) on every page a resident or member of staff can open by address,
// in English and in Welsh, with JavaScript on; pages reached only by sending a form are
// checked in journeys.test.mjs.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, visitor, go, assertAccessible, assertReflows, screenshots, signIn, MANAGER, TEAM_LEAD, ADMIN,
} from './lib.mjs';

const RESIDENT_PAGES = [
  '/', '/topics/bins-recycling', '/search?q=pothole', '/search?q=zzzz', '/services/missed-bin-collection',
  '/services/pothole-report', '/services/pothole-report/questions/3', '/services/missed-bin-collection/questions/2',
  '/services/missed-bin-collection/questions/4', '/contact-us', '/tell-us-once', '/track', '/reports',
  '/reports?service=pothole-report', '/account/sign-in', '/account/sign-in/0123456789abcdef', '/no-such-page',
];
// Each role sees the pages its work needs (docs/security.md): a Waste team lead the
// casework pages, a manager the dashboard, an administrator the audit trail.
const TEAM_LEAD_PAGES = [
  '/console/queues', '/console/queues/waste', '/console/queues/waste?mine=1', '/console/triage', '/console/risk',
  '/console/contacts/new', '/console/contacts/new?service=missed-bin-collection', '/console/residents',
  '/console/residents?q=smith', '/console/quarantine', '/console/tasks/waste',
];
const MANAGER_PAGES = ['/console/dashboard', '/console/dashboard?channel=phone'];
const ADMIN_PAGES = ['/console/audit', '/console/audit?staff=nobody&from=bad'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

describe('every page passes axe-core at WCAG 2.2 AA', () => {
  for (const locale of ['en-GB', 'cy']) {
    test(`resident pages (${locale})`, async () => {
      const { context, page } = await visitor(browser, { locale });
      for (const path of RESIDENT_PAGES) {
        await go(page, path);
        assert.equal(await page.getAttribute('html', 'lang'), locale === 'cy' ? 'cy' : 'en');
        await assertAccessible(page, `${path} (${locale})`);
        await assertReflows(page, path);
      }
      await go(page, '/');
      await screenshots(page, `home-${locale}`);
      await go(page, '/services/missed-bin-collection/questions/1');
      await screenshots(page, `question-${locale}`);
      await context.close();
    });
  }

  test('the console sign-in page and every console page', async () => {
    const { context, page } = await visitor(browser);
    await go(page, '/console/sign-in');
    await assertAccessible(page, 'sign in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await assertAccessible(page, 'sign in with errors');
    await signIn(page, TEAM_LEAD);
    await page.waitForURL('**/console/queues');
    for (const path of TEAM_LEAD_PAGES) {
      await go(page, path);
      await assertAccessible(page, path);
      await assertReflows(page, path);
    }
    // A case, reached from the queue, and its resident's record.
    await go(page, '/console/queues/waste');
    await page.locator('#queue a').first().click();
    await assertAccessible(page, 'a case');
    await assertReflows(page, 'a case');
    await page.locator('#resident-link').click();
    await page.waitForURL('**/console/residents/*');
    await assertAccessible(page, 'a resident');
    await assertReflows(page, 'a resident');
    await context.close();
    for (const [who, paths] of [[MANAGER, MANAGER_PAGES], [ADMIN, ADMIN_PAGES]]) {
      const { context: theirs, page: their } = await visitor(browser);
      await signIn(their, who);
      await their.waitForURL('**/console/queues');
      for (const path of paths) {
        await go(their, path);
        assert.equal(await their.title().then((t) => t.includes('cannot see')), false, path);
        await assertAccessible(their, path);
        await assertReflows(their, path);
      }
      if (who === ADMIN) {
        // A resident's erasure page, reached from search.
        await go(their, '/console/residents?q=smith');
        await their.locator('#results a').first().click();
        await their.waitForURL('**/console/residents/*');
        await go(their, `${new URL(their.url()).pathname}/erase`);
        await assertAccessible(their, 'erasure plan');
      }
      await screenshots(their, who === MANAGER ? 'dashboard' : 'audit-trail');
      await theirs.close();
    }
  });
});
