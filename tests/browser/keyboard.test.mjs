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

test('a place is chosen on the location map with the keyboard alone, and focus moves on', async () => {
  const { context, page } = await visitor(browser);
  await go(page, '/services/missed-bin-collection/questions/4');
  const map = page.locator('[data-location-map]');
  await map.waitFor({ state: 'visible' });
  // The help the map points screen readers to says how to use it with a keyboard, and
  // that the address finder on the same page does the same job.
  const help = await page.locator(`#${await map.getAttribute('aria-describedby')}`).innerText();
  assert.match(help, /arrow keys/);
  assert.match(help, /find an address/);
  // Reached by Tab, in page order.
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await map.evaluate((el) => document.activeElement === el);
  }
  assert.ok(reached, 'Tab reaches the map');
  assert.ok((await focused(page)).marked, 'the focused map is marked');
  const latInput = page.locator('input[name$="-lat"]');
  assert.equal(await latInput.inputValue(), '');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  assert.notEqual(await latInput.inputValue(), '', 'Enter chooses the middle of the map');
  assert.notEqual(await page.locator('input[name$="-lon"]').inputValue(), '');
  const status = page.locator('[id$="-map-status"]');
  assert.match(await status.innerText(), /Place chosen/);
  // No trap: Tab leaves the map (through its zoom buttons) for the address finder.
  let left = false;
  for (let i = 0; i < 6 && !left; i++) {
    await page.keyboard.press('Tab');
    left = await map.evaluate((el) => !el.contains(document.activeElement));
  }
  assert.ok(left, 'Tab moves on from the map');
  await context.close();
});
