// The console queue with a keyboard only: a skip link first, a focus order that follows the
// page, a focus indicator on everything that takes focus, and a case worked without a mouse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, visitor, go, OFFICER } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** What has focus, and whether it is visibly marked (GOV.UK's yellow focus state). */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const marked = style.backgroundColor === 'rgb(255, 221, 0)'
      || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
      || style.boxShadow !== 'none';
    const box = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      text: (el.innerText || el.value || el.getAttribute('aria-label') || el.id || '').trim(),
      href: el.getAttribute('href'),
      marked,
      seen: box.width > 0 && box.height > 0,
    };
  });
}

async function tab(page, times = 1) {
  for (let i = 0; i < times; i++) await page.keyboard.press('Tab');
  return focused(page);
}

test('staff sign in and work the queue with the keyboard alone', async () => {
  const { context, page } = await visitor(browser);
  await go(page, '/console/sign-in');
  let f = await tab(page);
  assert.equal(f.text, 'Skip to main content');
  assert.ok(f.marked && f.seen, 'the skip link shows when focused');
  // Tab on to the email field, type, then the password, then Enter to sign in.
  for (let i = 0; i < 20 && (await focused(page)).text !== 'email'; i++) await tab(page);
  assert.equal((await focused(page)).text, 'email', 'the email field is reachable by Tab');
  await page.keyboard.type(OFFICER.email);
  f = await tab(page);
  assert.equal(f.text, 'password');
  await page.keyboard.type(OFFICER.password);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/console/queues');

  await go(page, '/console/queues/waste');
  f = await tab(page);
  assert.equal(f.text, 'Skip to main content');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main-content', 'the skip link moves focus to the content');

  // From the content, Tab reaches every case link in the queue's order, each visibly marked.
  const expected = await page.locator('#queue tbody tr td:first-child a').evaluateAll((as) => as.map((a) => a.textContent.trim()));
  assert.ok(expected.length > 0, 'the demo queue has cases');
  const seen = [];
  for (let i = 0; i < 200 && seen.length < expected.length; i++) {
    f = await tab(page);
    assert.ok(f.marked, `focus is visible on ${f.tag} "${f.text}"`);
    assert.ok(f.seen, `the focused ${f.tag} "${f.text}" is on the page`);
    if (f.href?.startsWith('/console/cases/')) seen.push(f.text);
  }
  assert.deepEqual(seen, expected, 'case links take focus in the order the queue lists them');

  // Open the first case and assign it, by keyboard.
  await go(page, '/console/queues/waste');
  await page.keyboard.press('Tab');
  for (let i = 0; i < 200; i++) {
    f = await tab(page);
    if (f.href?.startsWith('/console/cases/')) break;
  }
  const reference = f.text;
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/console/cases/${reference}`);
  for (let i = 0; i < 200 && (await focused(page)).text !== 'Assign to me'; i++) await tab(page);
  f = await focused(page);
  assert.equal(f.text, 'Assign to me');
  assert.ok(f.marked, 'the button shows focus');
  await page.keyboard.press('Enter');
  await page.waitForLoadState();
  await page.getByText('Assigned to', { exact: false }).first().waitFor();
  await context.close();
});
