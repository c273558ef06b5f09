#!/usr/bin/env node
// Opens the governance page in headless Chromium (Debian's chromium, driven by playwright-core;
// no browser is downloaded) and checks it against the JSON report of the same period:
//   - every number of every card code in the page's table equals the report's ("≥" exactly when
//     the report says lowerBound; rates to one decimal, "~" with lowerBound),
//   - the top override reasons and their counts are those of the report,
//   - the trend chart is drawn: one SVG series (<path class="series" data-code>) per card code,
//     with one point per trend bucket that has an acceptance rate, inside the plot, and the
//     browser lays it out (non-zero bounding box),
//   - the page loaded nothing but itself (no request besides the page, no console error: the
//     strict Content-Security-Policy would report any inline script or external resource),
// and saves a full-page screenshot.
//
// Usage: node governance.js --page URL --json URL --screenshot FILE [--token TOKEN]
// Exit 0 when every check passes; 1 with the failures listed otherwise.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i + 1 < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of ['page', 'json', 'screenshot'])
    if (!out[k]) throw new Error(`missing --${k}`);
  return out;
}

function shown(n, lowerBound) { return (lowerBound ? '≥' : '') + String(n); }
function rate(r, lowerBound) {
  if (r === null) return '–';
  return (lowerBound ? '~' : '') + (r * 100).toFixed(1) + '%';
}

async function main() {
  const opt = args();
  const headers = opt.token ? { Authorization: `Bearer ${opt.token}` } : {};
  const res = await fetch(opt.json, { headers });
  if (res.status !== 200) throw new Error(`GET ${opt.json}: ${res.status}`);
  const report = await res.json();

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'anakinra-chromium-'));
  // A fresh profile (--user-data-dir, which playwright passes from launchPersistentContext).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    extraHTTPHeaders: headers,
    viewport: { width: 1000, height: 800 },
  });
  const failures = [];
  const fail = (m) => failures.push(m);
  try {
    const page = await context.newPage();
    const requests = [];
    const consoleErrors = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    const answer = await page.goto(opt.page, { waitUntil: 'load' });
    if (!answer || answer.status() !== 200) fail(`page status ${answer && answer.status()}`);
    const csp = answer && answer.headers()['content-security-policy'];
    if (!csp || !csp.includes("default-src 'none'")) fail(`no strict CSP: ${csp}`);

    const dom = await page.evaluate(() => {
      const cells = {};
      for (const td of document.querySelectorAll('#summary td[data-field]')) {
        const code = td.getAttribute('data-code');
        (cells[code] = cells[code] || {})[td.getAttribute('data-field')] = td.textContent.trim();
      }
      const reasons = {};
      for (const tr of document.querySelectorAll('#reasons tr[data-code]')) {
        const code = tr.getAttribute('data-code');
        (reasons[code] = reasons[code] || []).push(
            Number(tr.querySelector('[data-field=reasonCount]').textContent));
      }
      const svg = document.querySelector('svg#trend');
      const series = {};
      for (const p of svg ? svg.querySelectorAll('path.series[data-code]') : []) {
        const code = p.getAttribute('data-code');
        const points = [...svg.querySelectorAll('circle[data-code]')]
                           .filter((c) => c.getAttribute('data-code') === code);
        const box = p.getBBox();
        (series[code] = series[code] || []).push({
          d: p.getAttribute('d'),
          hidden: p.getAttribute('visibility') === 'hidden',
          points: points.map((c) => ({ start: c.getAttribute('data-start'),
                                       cy: Number(c.getAttribute('cy')) })),
          width: box.width, height: box.height,
        });
      }
      const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
      return { cells, reasons, series, svgWidth: box.width, svgHeight: box.height,
               knowledge: (document.querySelector('#knowledge-version') || {}).textContent };
    });

    if (!(dom.svgWidth > 100 && dom.svgHeight > 100)) fail(`trend SVG not laid out: ${dom.svgWidth}x${dom.svgHeight}`);
    if (!dom.knowledge || !dom.knowledge.startsWith('sha256:')) fail(`knowledge version: ${dom.knowledge}`);
    const pageCodes = Object.keys(dom.cells).sort();
    const reportCodes = report.codes.map((c) => c.code).sort();
    if (JSON.stringify(pageCodes) !== JSON.stringify(reportCodes))
      fail(`codes: page ${JSON.stringify(pageCodes)} report ${JSON.stringify(reportCodes)}`);
    for (const c of report.codes) {
      const cells = dom.cells[c.code] || {};
      const lb = c.lowerBound;
      const want = { issued: shown(c.issued, lb), accepted: shown(c.accepted, lb),
                     overridden: shown(c.overridden, lb), ignored: shown(c.ignored, lb),
                     feedbackEntries: shown(c.feedbackEntries, lb),
                     acceptanceRate: rate(c.acceptanceRate, lb) };
      for (const [field, value] of Object.entries(want))
        if (cells[field] !== value) fail(`${c.code} ${field}: page "${cells[field]}" report "${value}"`);
      const counts = c.topOverrideReasons.map((r) => r.count);
      if (JSON.stringify(dom.reasons[c.code] || []) !== JSON.stringify(counts))
        fail(`${c.code} reasons: page ${JSON.stringify(dom.reasons[c.code])} report ${JSON.stringify(counts)}`);
      const series = dom.series[c.code] || [];
      if (series.length !== 1) { fail(`${c.code}: ${series.length} chart series, want 1`); continue; }
      const rated = c.trend.filter((p) => p.acceptanceRate !== null);
      const s = series[0];
      if (JSON.stringify(s.points.map((p) => p.start)) !== JSON.stringify(rated.map((p) => p.start)))
        fail(`${c.code}: points ${JSON.stringify(s.points.map((p) => p.start))} trend ${JSON.stringify(rated.map((p) => p.start))}`);
      // Higher rate, higher point (smaller y), so the drawing follows the numbers.
      for (let i = 0; i + 1 < rated.length; ++i) {
        const a = rated[i].acceptanceRate, b = rated[i + 1].acceptanceRate;
        const ya = s.points[i] && s.points[i].cy, yb = s.points[i + 1] && s.points[i + 1].cy;
        if ((a > b && !(ya < yb)) || (a < b && !(ya > yb)) || (a === b && ya !== yb))
          fail(`${c.code}: point ${i} y ${ya} vs ${yb} for rates ${a} vs ${b}`);
      }
      if (rated.length > 0 && (s.hidden || !s.d.startsWith('M'))) fail(`${c.code}: series not drawn`);
      if (rated.length > 1 && !(s.width > 0)) fail(`${c.code}: series has no width`);
    }
    const others = requests.filter((u) => u !== opt.page);
    if (others.length) fail(`page loaded more than itself: ${others.join(', ')}`);
    if (consoleErrors.length) fail(`console errors: ${consoleErrors.join(' | ')}`);
    fs.mkdirSync(path.dirname(opt.screenshot), { recursive: true });
    await page.screenshot({ path: opt.screenshot, fullPage: true });
    console.log(`checked ${report.codes.length} card codes; screenshot ${opt.screenshot}`);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  if (failures.length) {
    for (const f of failures) console.error(`FAIL: ${f}`);
    process.exit(1);
  }
}

main().catch((e) => { console.error(`FAIL: ${e && e.stack || e}`); process.exit(1); });
