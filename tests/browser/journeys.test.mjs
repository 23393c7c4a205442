// The main journeys in a real browser, once with JavaScript on and once with it off: a
// resident reports a missed bin and applies for a Blue Badge, tracks the request, and a
// member of staff works it from the queue to closed. axe-core checks every page on the way.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, visitor, go, assertAccessible, assertReflows, screenshots, continueButton,
  yesterday, signIn, latestMail, OFFICER,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function contactDetails(page, email, label) {
  await assertAccessible(page, `${label}: contact details`);
  await page.getByLabel('Full name').fill('Jo Bloggs');
  await page.getByLabel('Email address', { exact: true }).fill(email);
  await page.getByLabel('Postcode', { exact: true }).fill('DC1 1AA');
  await continueButton(page);
}

async function checkAndSend(page, label, shot) {
  await page.getByRole('heading', { name: 'Check your answers before sending your request' }).waitFor();
  await assertAccessible(page, `${label}: check answers`);
  if (shot) await screenshots(page, shot);
  await page.getByRole('button', { name: 'Accept and send' }).click();
  await page.getByRole('heading', { name: 'Request sent' }).waitFor();
  await assertAccessible(page, `${label}: confirmation`);
  return (await page.locator('#reference').textContent()).trim();
}

async function reportMissedBin(page, js, email) {
  const label = `missed bin (JavaScript ${js ? 'on' : 'off'})`;
  await go(page, '/');
  await assertAccessible(page, `${label}: home`);
  await assertReflows(page, 'home');
  await page.getByLabel('What do you need to do?').fill('missed bin');
  await page.getByRole('button', { name: 'Search' }).click();
  await assertAccessible(page, `${label}: search results`);
  await page.getByRole('link', { name: 'Report a missed bin collection' }).click();
  await assertAccessible(page, `${label}: start page`);
  await page.getByRole('button', { name: 'Start now' }).click();

  // Sending nothing shows the error summary; with JavaScript it takes focus.
  await continueButton(page);
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  assert.match(await page.title(), /^Error: /);
  await assertAccessible(page, `${label}: question with an error`);
  if (js) {
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('govuk-error-summary')), true,
      'the error summary takes focus');
  }
  await screenshots(page, `missed-bin-error-js-${js ? 'on' : 'off'}`);
  await page.getByLabel('Recycling (blue bin)').check();
  await continueButton(page);

  const day = yesterday();
  await assertAccessible(page, `${label}: date question`);
  await page.getByLabel('Day').fill(day.day);
  await page.getByLabel('Month').fill(day.month);
  await page.getByLabel('Year').fill(day.year);
  await continueButton(page);

  await page.getByLabel('Yes').check();
  await continueButton(page);

  // The place: the address finder works with or without the map.
  await assertAccessible(page, `${label}: location question`);
  if (js) assert.equal(await page.locator('[data-location-map]').isVisible(), true, 'the map shows with JavaScript');
  else assert.equal(await page.locator('[data-location-map]').isVisible(), false, 'no map without JavaScript');
  await screenshots(page, `missed-bin-location-js-${js ? 'on' : 'off'}`);
  await page.getByLabel('Postcode or street name').fill('DC1 1AA');
  await page.getByRole('button', { name: 'Find address' }).click();
  await page.getByLabel('1 High Street', { exact: false }).first().check();
  await assertAccessible(page, `${label}: addresses found`);
  await continueButton(page);

  await continueButton(page); // "Is there anything else we should know?" is optional.
  await contactDetails(page, email, label);
  return checkAndSend(page, label, `missed-bin-check-js-${js ? 'on' : 'off'}`);
}

async function applyForBlueBadge(page, js, email) {
  const label = `Blue Badge (JavaScript ${js ? 'on' : 'off'})`;
  await go(page, '/topics/care-support');
  await assertAccessible(page, `${label}: topic`);
  await page.getByRole('link', { name: 'Apply for a Blue Badge' }).click();
  await page.getByRole('button', { name: 'Start now' }).click();
  await page.getByLabel('Someone else').check();
  await continueButton(page);
  await page.getByLabel('Day').fill('27');
  await page.getByLabel('Month').fill('3');
  await page.getByLabel('Year').fill('1950');
  await continueButton(page);
  await page.getByLabel('Registered blind').check();
  await continueButton(page);
  await assertAccessible(page, `${label}: long-text question`);
  await page.getByRole('textbox').fill('Can walk about 50 metres with a stick, then needs to rest.');
  await continueButton(page);
  await page.getByLabel('Yes').check();
  await continueButton(page);
  await contactDetails(page, email, label);
  return checkAndSend(page, label, `blue-badge-check-js-${js ? 'on' : 'off'}`);
}

async function track(page, reference, email, label) {
  await go(page, '/track');
  await assertAccessible(page, `${label}: track form`);
  await page.getByLabel('Reference number').fill(reference);
  await page.getByLabel('Email address, phone number or postcode you gave us').fill(email);
  await page.getByRole('button', { name: 'Track request' }).click();
  await page.getByRole('heading', { name: `Request ${reference}` }).waitFor();
  await assertAccessible(page, `${label}: tracked request`);
  return (await page.locator('#status').textContent()).trim();
}

async function workTheCase(page, reference, js) {
  const label = `staff (JavaScript ${js ? 'on' : 'off'})`;
  await signIn(page, OFFICER);
  await page.getByRole('heading', { name: 'Queues' }).waitFor();
  await assertAccessible(page, `${label}: queues`);
  await go(page, '/console/queues/waste');
  await assertAccessible(page, `${label}: waste queue`);
  await screenshots(page, `queue-js-${js ? 'on' : 'off'}`);
  await page.getByRole('link', { name: reference }).click();
  await assertAccessible(page, `${label}: case`);
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await page.getByLabel('Change status').selectOption({ label: 'In progress' });
  await page.getByRole('button', { name: 'Change status' }).click();
  await page.getByLabel('Add a note').fill('A crew will return tomorrow morning.');
  await page.getByLabel('Show this note to the resident').check();
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByLabel('Change status').selectOption({ label: 'Closed' });
  await page.getByLabel('Outcome').fill('Bin emptied on the return visit.');
  await page.getByRole('button', { name: 'Change status' }).click();
  await page.getByText('Bin emptied on the return visit.').first().waitFor();
  await assertAccessible(page, `${label}: closed case`);
  await screenshots(page, `case-closed-js-${js ? 'on' : 'off'}`);
}

/** The survey link from the closing message, once the outbox has written it. */
async function surveyLink(reference) {
  for (let i = 0; i < 50; i++) {
    const mail = latestMail(reference);
    const match = mail?.match(/https?:\/\/\S+\/feedback\/[A-Za-z0-9_-]+/);
    if (match && mail.includes('feedback')) return new URL(match[0]).pathname;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`no survey link was sent for ${reference}`);
}

for (const js of [true, false]) {
  describe(`with JavaScript ${js ? 'on' : 'off'}`, () => {
    const email = `jo.${js ? 'on' : 'off'}@example.org`;
    let binReference;

    test('a resident reports a missed bin', async () => {
      const { context, page } = await visitor(browser, { javaScript: js });
      binReference = await reportMissedBin(page, js, email);
      assert.match(binReference, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      assert.equal(await track(page, binReference, email, 'resident'), 'Received');
      await context.close();
    });

    test('a resident applies for a Blue Badge', async () => {
      const { context, page } = await visitor(browser, { javaScript: js });
      const reference = await applyForBlueBadge(page, js, email);
      assert.match(reference, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      await context.close();
    });

    test('staff work the case from the queue and the resident sees it closed', async () => {
      const staff = await visitor(browser, { javaScript: js });
      await workTheCase(staff.page, binReference, js);
      await staff.context.close();

      const { context, page } = await visitor(browser, { javaScript: js });
      assert.equal(await track(page, binReference, email, 'resident after closure'), 'Closed');
      await page.getByText('A crew will return tomorrow morning.').first().waitFor();
      await screenshots(page, `track-closed-js-${js ? 'on' : 'off'}`);

      await go(page, await surveyLink(binReference));
      await assertAccessible(page, 'satisfaction survey');
      await page.getByLabel('Very satisfied').check();
      await page.getByRole('button', { name: 'Send feedback' }).click();
      await page.getByRole('heading', { name: 'Thank you for your feedback' }).waitFor();
      await assertAccessible(page, 'survey thanks');
      await context.close();
    });
  });
}
