// Shared helpers for the browser tests: Debian's Chromium driven by playwright-core, axe-core
// for WCAG 2.2 AA, screenshots at a small phone's and a desktop's width.
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const BASE = process.env.FRONTDOOR_URL ?? 'http://127.0.0.1:18380';
export const ARTIFACTS = process.env.BROWSER_ARTIFACTS ?? 'artifacts';
export const MAILBOX = process.env.FRONTDOOR_DEV_MAILBOX;
export const OFFICER = { email: 'wyn.officer@demo-council.example', password: 'browser test password one' };
export const MANAGER = { email: 'mo.manager@demo-council.example', password: 'browser test password two' };
export const TEAM_LEAD = { email: 'tal.lead@demo-council.example', password: 'browser test password three' };
export const ADMIN = { email: 'ada.admin@demo-council.example', password: 'browser test password four' };
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
// Best-practice rules kept on every page: content outside every landmark is skipped by
// landmark navigation; a scrolling box the keyboard cannot reach cannot be read.
const BEST_PRACTICE = ['region', 'scrollable-region-focusable'];
/** The widths every page is checked at: a small phone (or 400 % zoom) and a desktop. */
const WIDTHS = [320, 1280];

mkdirSync(ARTIFACTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // The tests run as root in CI containers, where Chromium's sandbox cannot start.
    args: ['--no-sandbox'],
  });
}

/** A fresh browser context: JavaScript on or off, English unless asked. */
export async function visitor(browser, { javaScript = true, locale = 'en-GB' } = {}) {
  const context = await browser.newContext({
    javaScriptEnabled: javaScript,
    locale,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  if (!javaScript) NO_SCRIPT.add(page);
  return { context, page };
}

const NO_SCRIPT = new WeakSet();

/**
 * The page to inspect. axe-core runs inside the page and needs JavaScript, so a page seen
 * with JavaScript off is copied, as rendered and without its scripts, into a page with
 * JavaScript on at the same address (for the same styles) and checked there.
 */
async function inspectable(page) {
  if (!NO_SCRIPT.has(page)) return { target: page, done: async () => {} };
  const html = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '');
  const context = await page.context().browser().newContext({ viewport: page.viewportSize() });
  const copy = await context.newPage();
  await copy.route('**/*', (route) => route.request().isNavigationRequest()
    ? route.fulfill({ contentType: 'text/html; charset=utf-8', body: html })
    : route.continue());
  await copy.goto(page.url());
  return { target: copy, done: () => context.close() };
}

export async function go(page, path) {
  const response = await page.goto(BASE + path);
  return response;
}

/**
 * Runs axe-core on the page at 320 px and at 1280 px (WCAG 2.2 AA and the landmark and
 * scrolling-region rules), checks every scrolling region can be reached and is named and
 * that nothing scrolls sideways, and fails with each violation's rule and elements.
 */
export async function assertAccessible(page, label) {
  const { target, done } = await inspectable(page);
  const size = target.viewportSize();
  let passes = 0;
  const problems = [];
  for (const width of WIDTHS) {
    await target.setViewportSize({ width, height: 800 });
    const wcag = await new AxeBuilder({ page: target }).withTags(WCAG_22_AA).analyze();
    const best = await new AxeBuilder({ page: target }).withRules(BEST_PRACTICE).analyze();
    passes += wcag.passes.length + best.passes.length;
    for (const v of [...wcag.violations, ...best.violations]) {
      problems.push(`${width}px ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
    problems.push(...(await unreachableScrollers(target)).map((s) => `${width}px ${s}`));
    const overflow = await target.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 0) problems.push(`${width}px reflow: the page scrolls sideways by ${overflow}px (WCAG 1.4.10)`);
  }
  await target.setViewportSize(size);
  await done();
  assert.deepEqual(problems, [], `${label} (${page.url()}) has accessibility violations`);
  // A record of every page checked and how many rules it passed, for the run's summary.
  appendFileSync(join(ARTIFACTS, 'axe-checks.tsv'), `${label}\t${page.url()}\t${passes}\n`);
  return passes;
}

/**
 * Every box that scrolls, or could scroll, sideways or down (overflow auto or scroll) must
 * take keyboard focus and have a name, so a keyboard or screen-reader user can read what
 * it hides. Leaflet's map panes are the map's own business (it takes focus itself).
 */
async function unreachableScrollers(page) {
  return page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((el) => {
      const style = getComputedStyle(el);
      const scrolls = ['auto', 'scroll'].includes(style.overflowX) || ['auto', 'scroll'].includes(style.overflowY);
      return scrolls && style.display !== 'none' && !el.closest('.leaflet-container') && el.tagName !== 'TEXTAREA';
    })
    .filter((el) => el.tabIndex < 0 || !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
    .map((el) => `scrolling region without tabindex and a name: ${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`));
}

/** Full-page screenshots at 320 px and 1280 px wide, kept under the artefacts folder. */
export async function screenshots(page, name) {
  const size = page.viewportSize();
  for (const width of [320, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(size);
}

/** Nothing may be wider than the screen at 320 px (WCAG 1.4.10 reflow). */
export async function assertReflows(page, label) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.setViewportSize(size);
  assert.ok(overflow <= 0, `${label} scrolls sideways by ${overflow}px at 320px wide`);
}

export async function continueButton(page) {
  await page.getByRole('button', { name: 'Continue' }).click();
}

export function yesterday() {
  const d = new Date(Date.now() - 24 * 3600 * 1000);
  return { day: String(d.getDate()), month: String(d.getMonth() + 1), year: String(d.getFullYear()) };
}

export async function signIn(page, who) {
  await go(page, '/console/sign-in');
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The newest message in the development mailbox whose text contains `needle`. */
export function latestMail(needle) {
  assert.ok(MAILBOX, 'FRONTDOOR_DEV_MAILBOX must name the mailbox the server writes to');
  const files = readdirSync(MAILBOX)
    .map((f) => join(MAILBOX, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (text.includes(needle)) return text;
  }
  return null;
}
