// End-to-end walk through the Obcan portal in a real browser (Debian's Chromium driven by
// playwright-core), with JavaScript disabled for the whole walk, and an axe-core audit of
// every page visited. A second walk logs in through a real OpenID provider (npm
// `oidc-provider`, tests/oidc-provider), a third through a real SAML IdP speaking NIA's
// eIDAS profile (pysaml2, tests/saml-idp); both are started here on loopback. A fourth walks
// the back office: staff login with a TOTP code computed here, the administrator's pages,
// counter registration, and the citizen's activation and local login.
//
//   OBCAN_BIN              the obcan binary (default: ../../target/debug/obcan)
//   OBCAN_E2E_CHROMIUM     the browser (default: /usr/bin/chromium)
//   OBCAN_E2E_SCREENSHOTS  where screenshots go (default: /tmp/e2e-shots)
//
// Run with ./run (installs the pinned packages first) or `node --test portal.test.mjs`.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

// The server runs in a temporary directory, so a relative OBCAN_BIN is resolved here first.
const BIN = process.env.OBCAN_BIN
  ? resolve(process.env.OBCAN_BIN)
  : fileURLToPath(new URL('../../target/debug/obcan', import.meta.url));
const CHROMIUM = process.env.OBCAN_E2E_CHROMIUM || '/usr/bin/chromium';
const PROVIDER_DIR = fileURLToPath(new URL('../oidc-provider/', import.meta.url));
const IDP_DIR = fileURLToPath(new URL('../saml-idp/', import.meta.url));
const SHOTS = process.env.OBCAN_E2E_SCREENSHOTS || '/tmp/e2e-shots';

// Generous for a slow 2-core machine running a debug build.
const STEP_TIMEOUT = 60_000;
const STARTUP_TIMEOUT = 60_000;
const VIEWPORT = { width: 1280, height: 900 };
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const CONTEXT_OPTIONS = { viewport: VIEWPORT, locale: 'cs-CZ', colorScheme: 'light', reducedMotion: 'reduce' };

// The background-networking flags keep Chromium from calling home on a closed network.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---------------------------------------------------------------------------------------
// The server and the OpenID provider

// The provider's client, as obcan's configuration names it too.
const OIDC_ID = 'test';
const OIDC_CLIENT_ID = 'obcan';
const OIDC_CLIENT_SECRET = 'obcan-e2e-client-secret';
const SAML_ID = 'nia';

let workDir;
let server; // { child, port, base, log: string[] }
let provider; // { child, port, issuer, log: string[] }
let idp; // { child, port, base, log: string[] }
let browser;
let walkContext; // JavaScript disabled: the user's browser
let oidcContext; // the same, for the login through the OpenID provider, from scratch
let samlContext; // the same, for the login through the SAML IdP
let officeContext; // the same, for the back office and counter registration
let auditContext; // JavaScript enabled: axe-core runs here, on snapshots of the walk's pages
let page;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function serverEnv(dir) {
  // Only this test's settings: an OBCAN_* variable from the caller's shell must not leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OBCAN_')));
  return {
    ...env,
    NO_COLOR: '1',
    OBCAN_DATABASE_URL: `sqlite://${join(dir, 'obcan.db')}?mode=rwc`,
    OBCAN_STORAGE_PATH: join(dir, 'files'),
    // The records system's webhooks are sent within a second, not five.
    OBCAN_WEBHOOKS_DELIVER_EVERY_SECONDS: '1',
  };
}

/** Keeps the last lines a child prints, reading its output for its whole life: a child
 * whose pipe is no longer read blocks, or dies on a closed pipe. */
function drain(child, log, onLine = () => {}) {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines.filter(Boolean)) {
        log.push(line);
        onLine(line);
      }
      if (log.length > 400) log.splice(0, log.length - 400);
    });
    stream.on('end', () => {
      if (partial) log.push(partial);
    });
  }
}

/** Whether `promise` settles within `ms`. The timer is cleared at once: a pending one would
 * keep the test's process alive that long after the last test. */
async function settlesWithin(promise, ms) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops a child: SIGTERM, then SIGKILL if it is still there after 10 s. */
async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const stopped = await settlesWithin(gone, 10_000);
  if (!stopped) {
    child.kill('SIGKILL');
    await gone;
  }
}

/** Waits until a child prints "ready <url>", and returns the URL. */
async function waitReady(child, log, name) {
  let announced;
  const ready = new Promise((resolve) => {
    announced = resolve;
  });
  drain(child, log, (line) => {
    const match = /^ready (\S+)$/.exec(line);
    if (match) announced(match[1]);
  });
  const exited = new Promise((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`${name} exited before it was ready (${JSON.stringify({ code, signal })}):\n${log.join('\n')}`)),
    ),
  );
  const spawnError = new Promise((_, reject) => child.once('error', reject));
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not print "ready" within ${STARTUP_TIMEOUT} ms:\n${log.join('\n')}`)),
      STARTUP_TIMEOUT,
    );
  });
  try {
    return await Promise.race([ready, exited, spawnError, timeout]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
    exited.catch(() => {}); // its later exit is reported by the steps that need it
  }
}

/** Starts the test OpenID provider; it sends people back to the portal at `portalPort`. */
async function startProvider(portalPort) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const log = [];
  // Node itself, no shell in between: the child is the provider, and killing it ends it.
  const child = spawn(process.execPath, ['provider.mjs'], {
    cwd: PROVIDER_DIR,
    env: {
      ...process.env,
      PORT: String(port),
      CLIENT_ID: OIDC_CLIENT_ID,
      CLIENT_SECRET: OIDC_CLIENT_SECRET,
      REDIRECT_URI: `http://127.0.0.1:${portalPort}/login/oidc/${OIDC_ID}/callback`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const announcedIssuer = await waitReady(child, log, 'the OpenID provider');
  assert.equal(announcedIssuer, issuer, 'the issuer the provider announces');
  return { child, port, issuer, log };
}

/** Starts the test SAML IdP (pysaml2); it reads the portal's metadata from the portal. */
async function startIdp(dir) {
  const port = await freePort();
  const log = [];
  const idpDir = join(dir, 'idp');
  await mkdir(idpDir, { recursive: true });
  const child = spawn(join(IDP_DIR, '.venv', 'bin', 'python'), ['idp.py'], {
    cwd: IDP_DIR,
    env: { ...process.env, PORT: String(port), IDP_DIR: idpDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const base = await waitReady(child, log, 'the SAML IdP');
  return { child, port, base, log };
}

/** The portal's SAML key pair, made as an operator makes it. */
async function makeKeyPair(dir) {
  const key = join(dir, 'saml.key');
  const cert = join(dir, 'saml.crt');
  const child = spawn('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', '/CN=obcan e2e', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, 'openssl makes the portal a key pair');
  return { key, cert };
}

/** obcan's configuration: the demo identity, the test IdP and the test provider. */
function serverConfig(port, issuer, idpBase, keys) {
  return [
    '[http]',
    `public_url = "http://127.0.0.1:${port}"`,
    '',
    '[[identity.saml]]',
    `id = "${SAML_ID}"`,
    'preset = "generic"',
    'label = "Identita občana (test)"',
    'label_en = "Citizen identity (test)"',
    `idp_metadata_url = "${idpBase}/metadata"`,
    `signing_key = "${keys.key}"`,
    `signing_certificate = "${keys.cert}"`,
    'min_loa = "substantial"',
    'timeout_seconds = 30',
    '',
    '[[identity.oidc]]',
    `id = "${OIDC_ID}"`,
    'label = "Testovací identita"',
    'label_en = "Test identity"',
    `issuer = "${issuer}"`,
    `client_id = "${OIDC_CLIENT_ID}"`,
    `client_secret = "${OIDC_CLIENT_SECRET}"`,
    'scopes = ["openid", "profile", "email"]',
    '# Generous for a slow machine: the provider answers discovery and the token request.',
    'timeout_seconds = 30',
    '',
  ].join('\n');
}

async function startServer(dir, port, configFile) {
  const base = `http://127.0.0.1:${port}`;
  const log = [];
  const child = spawn(BIN, ['serve', '--config', configFile, '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    env: serverEnv(dir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  drain(child, log);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const spawnError = new Promise((_, reject) => child.on('error', reject));

  const deadline = Date.now() + STARTUP_TIMEOUT;
  const healthy = (async () => {
    while (Date.now() < deadline) {
      if (exited) {
        throw new Error(`obcan exited before it was healthy (${JSON.stringify(exited)}):\n${log.join('\n')}`);
      }
      try {
        const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(`GET /healthz did not answer 200 within ${STARTUP_TIMEOUT} ms:\n${log.join('\n')}`);
  })();
  try {
    await Promise.race([healthy, spawnError]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { child, port, base, log, exited: () => exited };
}

/** Starts the provider and obcan. obcan's port is chosen first: the provider must know
 * where to send people back, and obcan where the provider is. A port is only free when
 * asked for: should another process take one before its server binds it, that server
 * exits, and both start again on new ports. */
async function startServers(dir) {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      provider = await startProvider(port);
      idp ??= await startIdp(dir);
      const keys = await makeKeyPair(dir);
      const configFile = join(dir, 'obcan.toml');
      await writeFile(configFile, serverConfig(port, provider.issuer, idp.base, keys));
      server = await startServer(dir, port, configFile);
      return;
    } catch (error) {
      await stopChild(provider?.child);
      provider = undefined;
      server = undefined;
      if (attempt >= 3 || !/exited before it was (healthy|ready)/.test(error.message)) throw error;
    }
  }
}

// Every process this test starts, so that none outlives it.
const children = new Set();
function killChildren() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
// Last resort should the runner be torn down before `after` runs.
process.on('exit', () => {
  killChildren();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});
for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
  process.once(signal, () => {
    killChildren();
    process.exit(128 + number); // the 'exit' handlers (Playwright's too) run now
  });
}

/** A browser for a walk: JavaScript disabled, like the person's. */
async function newWalkContext() {
  const context = await browser.newContext({ ...CONTEXT_OPTIONS, javaScriptEnabled: false });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}

// ---------------------------------------------------------------------------------------
// Helpers

const url = (path) => `${server.base}${path}`;

/** The office's records system, as far as the portal's webhooks go: it keeps each one it is
 * sent, headers and body as they came. */
async function webhookReceiver() {
  const received = [];
  const listener = createHttpServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise((listening) => listener.listen(0, '127.0.0.1', listening));
  return {
    received,
    url: `http://127.0.0.1:${listener.address().port}/obcan-events`,
    close: () => new Promise((closed) => listener.close(closed)),
  };
}

/** A call of the records API as the records system makes it: its bearer token, JSON. */
async function recordsApi(token, method, path, body) {
  const response = await fetch(url(`/api/v1/records${path}`), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}
const pathOf = (href) => {
  const parsed = new URL(href);
  return parsed.pathname + parsed.search;
};

/** Clicks something that navigates, and waits until the new page (after any redirect) has loaded. */
async function clickAndLoad(locator) {
  await Promise.all([page.waitForEvent('load'), locator.click()]);
}

async function text(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

async function assertHeading(expected) {
  const headings = page.locator('main h1');
  assert.equal(await headings.count(), 1, `exactly one h1 in <main> on ${page.url()}`);
  assert.equal(await text(headings), expected, `h1 on ${page.url()}`);
}

async function assertLang(expected) {
  assert.equal(await page.locator('html').getAttribute('lang'), expected, `<html lang> on ${page.url()}`);
}

/** Stylesheets, images and icons of the portal's pages that fail to load (the server
 * answers 4xx/5xx, or not at all). The OpenID provider's pages are not ours: what they
 * load is not watched. */
const brokenSubresources = [];
function requestedByPortal(request) {
  try {
    return new URL(request.frame().url()).origin === new URL(server.base).origin;
  } catch {
    return true; // no frame to tell: count it
  }
}
function watchSubresources(target) {
  target.on('response', (response) => {
    const request = response.request();
    if (!request.isNavigationRequest() && response.status() >= 400 && requestedByPortal(request)) {
      brokenSubresources.push(`${response.status()} ${response.url()}`);
    }
  });
  target.on('requestfailed', (request) => {
    // ERR_ABORTED: the page was left before this load finished (the walk moves on
    // quickly); not a broken resource. A missing one answers 4xx above.
    if (
      !request.isNavigationRequest() &&
      request.failure()?.errorText !== 'net::ERR_ABORTED' &&
      requestedByPortal(request)
    ) {
      brokenSubresources.push(`${request.failure()?.errorText} ${request.url()}`);
    }
  });
}
function assertNoBrokenSubresources() {
  const broken = brokenSubresources.splice(0);
  assert.deepEqual(broken, [], `subresources failed to load on ${page.url()}`);
}

async function screenshot(name) {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  await page.screenshot({ path: join(SHOTS, `${name}.full.png`), fullPage: true });
}

// axe-core cannot run in the walk's pages: with JavaScript disabled Chromium runs no timers,
// and axe needs them. So each page the walk reaches is snapshotted (its DOM, which without
// JavaScript is exactly what the server sent) and audited in a JavaScript-enabled context
// that loads the snapshot at the same address, with the stylesheets and images from the
// server, in the same viewport: the same page as the user saw it.
const snapshots = new Map();
async function snapshot(name) {
  snapshots.set(name, { url: page.url(), html: await page.content() });
}

async function audit(name) {
  const { url: address, html } = snapshots.get(name);
  const auditPage = await auditContext.newPage();
  try {
    const document = (requested) => requested.href === address;
    await auditPage.route(document, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
    );
    // A hand-over page posts itself to the identity provider where scripts run: it
    // would leave before axe reads it, and use up the walk's single-use message.
    await auditPage.route(/\/assets\/autosubmit\.[0-9a-f]+\.js$/, (route) => route.abort());
    await auditPage.goto(address, { waitUntil: 'load' });
    await auditPage.unroute(document);
    const results = await new AxeBuilder({ page: auditPage }).withTags(AXE_TAGS).analyze();
    return results.violations;
  } finally {
    await auditPage.close();
  }
}

function describeViolations(name, address, violations) {
  const lines = [`axe-core found ${violations.length} violation(s) on "${name}" (${pathOf(address)}):`];
  for (const violation of violations) {
    lines.push('', `* ${violation.id} [${violation.impact}] ${violation.help}`, `  ${violation.helpUrl}`);
    for (const node of violation.nodes) {
      lines.push(`  - target: ${node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' | ')}`);
      lines.push(`    html:   ${node.html.replace(/\s+/g, ' ').slice(0, 300)}`);
      if (node.failureSummary) {
        for (const summary of node.failureSummary.split('\n')) lines.push(`    ${summary.trim()}`);
      }
    }
  }
  return lines.join('\n');
}

// A walk is one story: once a step fails, the later ones of that walk are skipped rather
// than failing for the same reason. The axe checks run on snapshots, so they never break
// the walk. Each walk has its own `step`.
const brokenSteps = [];
function walkSteps() {
  let brokenAt = null;
  return function step(name, fn) {
    test(name, { timeout: STEP_TIMEOUT }, async (t) => {
      if (brokenAt) {
        t.skip(`an earlier step failed: ${brokenAt}`);
        return;
      }
      try {
        await fn(t);
      } catch (error) {
        brokenAt = name;
        brokenSteps.push(name);
        throw error;
      }
    });
  };
}

function accessible(name) {
  test(`${name}: no axe-core violations (${AXE_TAGS.join(', ')})`, { timeout: STEP_TIMEOUT }, async (t) => {
    if (!snapshots.has(name)) {
      t.skip('the walk did not reach this page');
      return;
    }
    const violations = await audit(name);
    if (violations.length > 0) {
      assert.fail(describeViolations(name, snapshots.get(name).url, violations));
    }
  });
}

/** The TOTP code (RFC 6238: HMAC-SHA-1, 6 digits, 30 s) of a base32 secret, as an app shows it. */
function totpStep() {
  return Math.floor(Date.now() / 30_000);
}

function totp(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...secret.replace(/\s/g, '')].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(totpStep()));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[19] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** `obcan staff create-admin`, as an operator bootstraps a fresh installation; its initial password. */
async function createAdmin(login) {
  const { stdout } = await promisify(execFile)(BIN, ['staff', 'create-admin', '--login', login], {
    cwd: workDir,
    env: serverEnv(workDir),
  });
  return stdout.trim().split(' ').pop();
}

// ---------------------------------------------------------------------------------------
// The walk

describe('Obcan portal in a browser without JavaScript', () => {
  const step = walkSteps();

  before(
    async () => {
      assert.ok(existsSync(BIN), `no obcan binary at ${BIN}: build it with \`cargo build -p obcan\` or set OBCAN_BIN`);
      assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium, or set OBCAN_E2E_CHROMIUM)`);
      assert.ok(
        existsSync(join(PROVIDER_DIR, 'node_modules', 'oidc-provider')),
        `no test OpenID provider packages: run \`npm ci\` in ${PROVIDER_DIR} (./run does)`,
      );
      workDir = await mkdtemp(join(tmpdir(), 'obcan-e2e-'));
      await startServers(workDir);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: STARTUP_TIMEOUT });
      walkContext = await newWalkContext();
      auditContext = await browser.newContext({ ...CONTEXT_OPTIONS, javaScriptEnabled: true });
      auditContext.setDefaultTimeout(30_000);
      page = await walkContext.newPage();
      watchSubresources(page);
    },
    { timeout: STARTUP_TIMEOUT * 2 },
  );

  after(
    async () => {
      try {
        if (browser) await settlesWithin(browser.close(), 15_000);
      } finally {
        await Promise.all([stopChild(server?.child), stopChild(provider?.child), stopChild(idp?.child)]);
        if (brokenSteps.length > 0 && server) {
          // Requests for stylesheets, fonts and icons are noise here.
          const lines = server.log.filter((line) => !/path="\/(assets|branding)\//.test(line)).slice(-40);
          console.error(`--- last lines of the obcan log ---\n${lines.join('\n')}`);
        }
        if (brokenSteps.length > 0 && provider) {
          console.error(`--- last lines of the OpenID provider's log ---\n${provider.log.slice(-40).join('\n')}`);
        }
        if (brokenSteps.length > 0 && idp) {
          console.error(`--- last lines of the SAML IdP's log ---\n${idp.log.slice(-40).join('\n')}`);
        }
        if (workDir) await rm(workDir, { recursive: true, force: true });
      }
    },
    { timeout: 60_000 },
  );

  step('home page, in Czech by default', async () => {
    const response = await page.goto(url('/'));
    assert.equal(response.status(), 200);
    await assertLang('cs');
    await assertHeading('Portál občana');

    const login = page.getByRole('main').getByRole('link', { name: 'Přihlásit se', exact: true });
    assert.equal(await login.getAttribute('href'), '/login');

    const header = page.locator('header');
    assert.equal(await header.getByRole('navigation').count(), 2, 'main navigation and language switch');
    const english = header.getByRole('link', { name: 'English', exact: true });
    const czech = header.getByRole('link', { name: 'Čeština', exact: true });
    assert.match(await english.getAttribute('href'), /^\/lang\/en\?next=/);
    assert.match(await czech.getAttribute('href'), /^\/lang\/cs\?/);
    assert.equal(await header.getByRole('button', { name: 'Odhlásit se' }).count(), 0, 'nobody is logged in');

    const accessibility = page.locator('footer a[href="/accessibility"]');
    assert.equal(await accessibility.count(), 1, 'footer links the accessibility statement');
    assert.ok(await accessibility.isVisible());

    assertNoBrokenSubresources();
    await screenshot('home');
    await snapshot('home page');
  });
  accessible('home page');

  step('keyboard: the first Tab reaches the skip link, Enter moves focus to the content', async () => {
    await page.goto(url('/'));
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    assert.equal(await focused.count(), 1, 'something has focus after one Tab');
    assert.equal(await focused.evaluate((element) => element.tagName), 'A');
    assert.equal(await text(focused), 'Přeskočit na obsah');
    assert.equal(await focused.getAttribute('href'), '#content');

    // A focused skip link must be on screen, not only in the accessibility tree.
    const box = await focused.boundingBox();
    assert.ok(box && box.width >= 1 && box.height >= 1, `the focused skip link has a size: ${JSON.stringify(box)}`);
    assert.ok(
      box.x >= 0 && box.y >= 0 && box.x + box.width <= VIEWPORT.width && box.y + box.height <= VIEWPORT.height,
      `the focused skip link is inside the viewport: ${JSON.stringify(box)}`,
    );

    await page.keyboard.press('Enter');
    await page.waitForURL(/#content$/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'content', 'focus is on #content');
    assert.equal(await page.locator('main#content:focus').count(), 1);
  });

  step('the form catalogue, from the main navigation, finds a form by a word without diacritics', async () => {
    await page.goto(url('/'));
    await clickAndLoad(page.getByRole('navigation', { name: 'Hlavní navigace' }).getByRole('link', { name: 'Formuláře' }));
    assert.equal(pathOf(page.url()), '/forms');
    await assertHeading('Formuláře');
    await page.getByLabel('Hledat formulář').fill('ridicsky prukaz');
    await clickAndLoad(page.getByRole('main').getByRole('button', { name: 'Hledat', exact: true }));
    assert.deepEqual(await page.locator('main ul a').allInnerTexts(), ['Nový řidičský průkaz – končí platnost']);
    assert.equal(await page.getByLabel('Hledat formulář').inputValue(), 'ridicsky prukaz');
    assertNoBrokenSubresources();
    await snapshot('form catalogue, searched');
    await clickAndLoad(page.getByRole('link', { name: 'Nový řidičský průkaz – končí platnost' }));
    await assertHeading('Nový řidičský průkaz – končí platnost');
    assert.equal(await page.locator('#form-loa').innerText(), 'značná');
    assertNoBrokenSubresources();
    await snapshot('form page');
    await page.goto(url('/'));
  });
  accessible('form catalogue, searched');
  accessible('form page');

  step('login page lists the demo identity', async () => {
    await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'Přihlásit se', exact: true }));
    assert.equal(pathOf(page.url()), '/login');
    await assertLang('cs');
    assert.equal(await page.locator('main h1').count(), 1);

    const demo = page.locator('main a.gov-button', { hasText: 'Ukázková identita' });
    assert.equal(await demo.count(), 1);
    assert.equal(await text(demo), 'Ukázková identita');
    assert.equal(await demo.getAttribute('href'), '/login/demo?next=%2Fdashboard');

    assertNoBrokenSubresources();
    await snapshot('login page');
  });
  accessible('login page');

  step('demo login page offers synthetic persons', async () => {
    await clickAndLoad(page.locator('main a.gov-button', { hasText: 'Ukázková identita' }));
    assert.equal(pathOf(page.url()), '/login/demo?next=%2Fdashboard');
    await assertLang('cs');
    assert.equal(await page.locator('main h1').count(), 1);

    const form = page.locator('main form[method="post"][action="/login/demo"]');
    assert.equal(await form.count(), 1);
    const csrf = await form.locator('input[type="hidden"][name="_csrf"]').getAttribute('value');
    assert.ok(csrf && csrf.length >= 16, 'the form carries a CSRF token');

    const persons = form.getByRole('button', { name: /^Přihlásit jako / });
    assert.ok((await persons.count()) >= 2, 'more than one person to choose from');
    const jana = form.getByRole('button', { name: 'Přihlásit jako Jana Dvořáková', exact: true });
    assert.equal(await jana.count(), 1);
    assert.ok(await jana.isVisible());

    assertNoBrokenSubresources();
    await screenshot('login-demo');
    await snapshot('demo login page');
  });
  accessible('demo login page');

  step('choosing a person logs in and shows the dashboard', async () => {
    await clickAndLoad(page.getByRole('button', { name: 'Přihlásit jako Jana Dvořáková', exact: true }));
    assert.equal(pathOf(page.url()), '/dashboard');
    await assertLang('cs');
    await assertHeading('Dobrý den, Jana Dvořáková');

    const tiles = page.locator('main ul.obcan-tiles > li');
    assert.ok((await tiles.count()) >= 4, 'capability tiles');
    assert.ok(await tiles.first().isVisible());

    const header = page.locator('header');
    assert.equal(await header.getByRole('button', { name: 'Odhlásit se', exact: true }).count(), 1);
    assert.equal(
      await header.getByRole('navigation').getByRole('link', { name: 'Přihlásit se', exact: true }).count(),
      0,
      'no "log in" link once logged in',
    );

    assertNoBrokenSubresources();
    await screenshot('dashboard');
    await snapshot('dashboard');
  });
  accessible('dashboard');

  step('the account page lists the means, this session and the login', async () => {
    await clickAndLoad(page.locator('header nav').first().getByRole('link', { name: 'Můj účet', exact: true }));
    assert.equal(pathOf(page.url()), '/account');
    await assertHeading('Můj účet a přihlašování');
    const main = page.getByRole('main');
    assert.equal(
      await main.getByRole('heading', { level: 2 }).count(),
      6,
      'details, contact details, means, sessions, history, deleting the account',
    );
    assert.ok(await main.getByText('toto přihlášení').isVisible(), 'this session is marked');
    assert.ok(await main.getByText('Jediný způsob přihlášení nelze odebrat', { exact: false }).isVisible());
    assertNoBrokenSubresources();
    await screenshot('account');
    await snapshot('account page');
  });
  accessible('account page');

  step('"Moje údaje" shows the overview of the register data, with what needs attention', async () => {
    await clickAndLoad(page.locator('header nav').first().getByRole('link', { name: 'Moje údaje', exact: true }));
    assert.equal(pathOf(page.url()), '/me');
    await assertHeading('Moje údaje');
    const main = page.getByRole('main');
    assert.ok(await main.getByRole('heading', { name: 'Vyžaduje pozornost' }).isVisible());
    assert.match(await text(main), /Stav k \d/);
    assertNoBrokenSubresources();
    await screenshot('my-data');
    await snapshot('my data overview');
  });
  accessible('my data overview');

  for (const [label, path, heading, shows] of [
    ['Osobní údaje', '/me/personal', 'Osobní údaje', /Lipová 12/],
    ['Doklady', '/me/documents', 'Doklady', /Platnost končí za \d+ (den|dny|dní)/],
    ['Registr řidičů', '/me/driver', 'Registr řidičů', /Bodové hodnocení/],
    ['Vozidla', '/me/vehicles', 'Vozidla', /Technická prohlídka/],
    ['Živnostenská oprávnění', '/me/trade-licences', 'Živnostenská oprávnění', /./],
    ['Kdo viděl moje údaje', '/me/data-usage', 'Kdo viděl moje údaje', /Záznamů: \d+/],
  ]) {
    step(`the side navigation leads to "${label}"`, async () => {
      await clickAndLoad(page.getByRole('navigation', { name: 'Části mých údajů' }).getByRole('link', { name: label, exact: true }));
      assert.equal(pathOf(page.url()), path);
      await assertHeading(heading);
      assert.equal(
        await page.getByRole('navigation', { name: 'Části mých údajů' }).locator('[aria-current="page"]').textContent(),
        label,
      );
      assert.match(await text(page.getByRole('main')), shows);
      assertNoBrokenSubresources();
      await snapshot(`my data: ${label}`);
    });
    accessible(`my data: ${label}`);
  }

  step('a wrong date in the usage filter is explained, and what was typed stays', async () => {
    await page.goto(url('/me/data-usage?from=31.2.2026&authority=finan'));
    await assertHeading('Kdo viděl moje údaje');
    assert.ok(await page.getByRole('alert').isVisible(), 'an error summary');
    assert.equal(await page.locator('#from').inputValue(), '31.2.2026');
    assert.equal(await page.locator('#authority').inputValue(), 'finan');
    assert.equal(await page.locator('#from').getAttribute('aria-invalid'), 'true');
    await snapshot('my data: usage filter error');
  });
  accessible('my data: usage filter error');

  step("asking for the points extract issues a PDF to download", async () => {
    await page.goto(url('/me/driver'));
    await clickAndLoad(page.getByRole('button', { name: 'Žádost o výpis', exact: true }));
    assert.equal(pathOf(page.url()), '/me/driver?extract=ready');
    assert.ok(await page.getByText('Výpis je připraven ke stažení.').isVisible());
    const link = page.getByRole('link', { name: /^Stáhnout PDF/ }).first();
    const href = await link.getAttribute('href');
    assert.match(href, /^\/me\/extracts\/[0-9a-f-]{36}$/);
    const response = await page.request.get(url(href));
    assert.equal(response.status(), 200);
    assert.equal(response.headers()['content-type'], 'application/pdf');
    assert.ok((await response.body()).subarray(0, 5).equals(Buffer.from('%PDF-')));
    await snapshot('my data: extract issued');
  });
  accessible('my data: extract issued');

  step('the contact details page, linked from the account page', async () => {
    await page.goto(url('/account'));
    await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'Upravit kontaktní údaje', exact: true }));
    assert.equal(pathOf(page.url()), '/me/contacts');
    await assertHeading('Kontaktní údaje');
    const main = page.getByRole('main');
    assert.ok(await main.getByText('Ověřený e-mail zatím nemáte.').isVisible());
    assert.equal(await main.getByLabel('Nový e-mail', { exact: true }).count(), 1);
    assert.equal(await main.getByLabel('Nové telefonní číslo', { exact: true }).count(), 1, 'the demo offers phones too');
    assertNoBrokenSubresources();
    await snapshot('contact details');
  });
  accessible('contact details');

  step('an invalid e-mail address is explained at its field, with what was typed', async () => {
    await page.fill('#email', 'jana(at)example');
    const [response] = await Promise.all([
      page.waitForResponse((answer) => pathOf(answer.url()) === '/me/contacts/email'),
      clickAndLoad(page.getByRole('button', { name: 'Poslat ověřovací kód: E-mail', exact: true })),
    ]);
    assert.equal(response.status(), 422);
    const summary = page.getByRole('alert');
    assert.match(await text(summary), /Formulář obsahuje chyby/);
    const link = summary.getByRole('link', { name: /Zadejte e-mailovou adresu/ });
    assert.equal(await link.getAttribute('href'), '#email');
    const field = page.locator('#email');
    assert.equal(await field.inputValue(), 'jana(at)example', 'what was typed is kept');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await field.getAttribute('aria-describedby'), 'email-hint email-error');
    assert.match(await text(page.locator('#email-error')), /Zadejte e-mailovou adresu/);
    assertNoBrokenSubresources();
    await screenshot('contacts-error');
    await snapshot('contact details with an error');
  });
  accessible('contact details with an error');

  step('a valid address gets a code, which the demo shows with a clear note', async () => {
    await page.fill('#email', 'jana@example.cz');
    await clickAndLoad(page.getByRole('button', { name: 'Poslat ověřovací kód: E-mail', exact: true }));
    assert.equal(pathOf(page.url()), '/me/contacts?done=sent-email');
    const main = page.getByRole('main');
    assert.ok(await main.getByText('Ověřovací kód je na cestě na váš e-mail.').isVisible());
    assert.ok(await main.getByText('Ukázka: žádná skutečná zpráva nebyla odeslána.').isVisible());
    assert.match(await text(page.locator('#email-demo-code')), /^[0-9]{6}$/);
    assertNoBrokenSubresources();
    await screenshot('contacts-code-sent');
    await snapshot('contact details, code sent');
  });
  accessible('contact details, code sent');

  step('the code verifies the address', async () => {
    const code = await text(page.locator('#email-demo-code'));
    await page.getByLabel('Ověřovací kód', { exact: true }).fill(code);
    await clickAndLoad(page.getByRole('button', { name: 'Ověřit', exact: true }));
    assert.equal(pathOf(page.url()), '/me/contacts?done=verified-email');
    assert.ok(await page.getByRole('main').getByText('E-mail je ověřen.').isVisible());
    assert.equal(await text(page.locator('#email-verified')), 'jana@example.cz');
    assert.equal(await page.locator('#email-demo-code').count(), 0, 'no verification under way');
    assertNoBrokenSubresources();
    await screenshot('contacts-verified');
    await snapshot('contact details, verified');
  });
  accessible('contact details, verified');

  step('My documents, from the main navigation: the quota and an empty list', async () => {
    await clickAndLoad(page.locator('header nav').first().getByRole('link', { name: 'Moje dokumenty', exact: true }));
    assert.equal(pathOf(page.url()), '/documents');
    await assertHeading('Moje dokumenty');
    assert.match(await text(page.locator('#usage-text')), /^Využito 0 B z 1 GB \(0 %\)$/);
    assert.ok(await page.locator('#no-documents').isVisible());
    assertNoBrokenSubresources();
    await snapshot('my documents, empty');
  });
  accessible('my documents, empty');

  step('two files go up at once, with progress, into a new folder', async () => {
    await page.getByLabel('Složka', { exact: true }).fill('Smlouvy');
    await page.getByLabel('Soubory', { exact: true }).setInputFiles([
      { name: 'Nájemní smlouva.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n') },
      { name: 'poznamky.txt', mimeType: 'text/plain', buffer: Buffer.from('Předat klíče do pátku.\n') },
    ]);
    await Promise.all([
      page.waitForURL((address) => pathOf(address.href) === '/documents?folder=Smlouvy&done=uploaded'),
      page.getByRole('button', { name: 'Nahrát', exact: true }).click(),
    ]);
    const main = page.getByRole('main');
    assert.ok(await main.getByText('Soubory jsou uloženy.').isVisible());
    assert.ok(await main.getByRole('link', { name: 'Nájemní smlouva.pdf', exact: true }).isVisible());
    assert.ok(await main.getByRole('link', { name: 'Smlouvy (2)', exact: true }).isVisible());
    assertNoBrokenSubresources();
    await screenshot('documents-list');
    await snapshot('my documents, two stored');
  });
  accessible('my documents, two stored');

  step('a refused file is explained, and nothing of it is kept', async () => {
    await page.getByLabel('Soubory', { exact: true }).setInputFiles([
      { name: 'faktura.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00 not a pdf at all') },
    ]);
    await Promise.all([
      page.waitForResponse((answer) => pathOf(answer.url()) === '/documents' && answer.request().method() === 'POST'),
      page.getByRole('button', { name: 'Nahrát', exact: true }).click(),
    ]);
    await page.locator('#refused').waitFor();
    assert.match(await text(page.locator('#refused')), /faktura\.pdf: Soubor je program/);
    assert.equal(await page.getByRole('link', { name: 'faktura.pdf', exact: true }).count(), 0);
    await snapshot('my documents, a file refused');
  });
  accessible('my documents, a file refused');

  step('one document: preview, download, its access history', async () => {
    await page.goto(url('/documents'));
    await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'Nájemní smlouva.pdf', exact: true }));
    await assertHeading('Nájemní smlouva.pdf');
    const frame = page.locator('iframe.obcan-preview');
    assert.equal(await frame.count(), 1);
    const download = await page.request.get(url(await page.locator('#download').getAttribute('href')));
    assert.equal(download.status(), 200);
    assert.ok((await download.body()).subarray(0, 5).equals(Buffer.from('%PDF-')));
    await page.reload();
    assert.match(await text(page.locator('#history')), /Stažení/);
    assertNoBrokenSubresources();
    await screenshot('document-detail');
    await snapshot('a document');
  });
  accessible('a document');

  step('the driving-licence application begins prefilled from the profile', async () => {
    await page.goto(url('/forms/ridicsky-prukaz-konec-platnosti'));
    await clickAndLoad(page.getByRole('button', { name: 'Vyplnit formulář', exact: true }));
    assert.match(pathOf(page.url()), /^\/forms\/ridicsky-prukaz-konec-platnosti\/drafts\/[0-9a-f-]+\/steps\/0$/);
    await assertHeading('Žadatel');
    assert.equal(await page.getByLabel('Jméno a příjmení').inputValue(), 'Jana Dvořáková');
    assert.equal(await page.getByLabel('Datum narození').inputValue(), '7. 3. 1984');
    assertNoBrokenSubresources();
    await snapshot('form step, prefilled');
  });
  accessible('form step, prefilled');

  step('a wrong birth number is explained at its field, and what was typed stays', async () => {
    await page.getByLabel('Rodné číslo').fill('845307/1001');
    await clickAndLoad(page.getByRole('button', { name: 'Pokračovat', exact: true }));
    assert.match(await text(page.locator('#f-rodne_cislo-error')), /Toto není platné rodné číslo/);
    assert.equal(await page.getByLabel('Rodné číslo').inputValue(), '845307/1001');
    assert.equal(await page.getByLabel('Rodné číslo').getAttribute('aria-invalid'), 'true');
    // The summary's link leads to the field, by keyboard too.
    await page.getByRole('alert').getByRole('link').first().focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-rodne_cislo');
    await snapshot('form step, with an error');
  });
  accessible('form step, with an error');

  step('the licence step is prefilled from the driver register; the review shows every answer', async () => {
    await page.getByLabel('Rodné číslo').fill('845307/1000');
    await clickAndLoad(page.getByRole('button', { name: 'Pokračovat', exact: true }));
    await assertHeading('Řidičský průkaz');
    assert.notEqual(await page.getByLabel('Číslo dosavadního řidičského průkazu').inputValue(), '');
    // Keyboard only: the radio is chosen with the space bar.
    await page.getByLabel('Městský úřad Vzorov, odbor dopravy, Náměstí Míru 1').focus();
    await page.keyboard.press('Space');
    await snapshot('form step, a choice');
    await clickAndLoad(page.getByRole('button', { name: 'Pokračovat', exact: true }));
    await assertHeading('Prohlášení');
    await page.getByLabel(/Souhlasím s použitím fotografie/).check();
    await page.getByLabel(/Prohlašuji, že jsem zdravotně způsobilý/).check();
    await clickAndLoad(page.getByRole('button', { name: 'Pokračovat', exact: true }));
    await assertHeading('Kontrola a odeslání');
    const main = page.getByRole('main');
    assert.ok(await main.getByText('845307/1000').isVisible());
    assert.ok(await main.getByText('Městský úřad Vzorov, odbor dopravy, Náměstí Míru 1').isVisible());
    assertNoBrokenSubresources();
    await snapshot('form review');
  });
  accessible('form step, a choice');
  accessible('form review');

  step('sending files it: the receipt names the number, the time and the SHA-256', async () => {
    await clickAndLoad(page.getByRole('button', { name: 'Odeslat podání', exact: true }));
    assert.match(pathOf(page.url()), /^\/submissions\/[0-9a-f-]+\?filed=1$/);
    await assertHeading('Nový řidičský průkaz – končí platnost');
    assert.match(await text(page.locator('#receipt-reference')), /^PO-1\/\d{4}$/);
    assert.match(await text(page.locator('#receipt-sha256')), /^[0-9a-f]{64}$/);
    assert.equal(await text(page.locator('#submission-state')), 'Přijato');
    const pdf = await page.request.get(url(await page.locator('#receipt-pdf').getAttribute('href')));
    assert.equal(pdf.status(), 200);
    assert.ok((await pdf.body()).subarray(0, 5).equals(Buffer.from('%PDF-')));
    assertNoBrokenSubresources();
    await screenshot('submission-receipt');
    await snapshot('submission receipt');
  });
  accessible('submission receipt');

  step('reporting a problem in public space, with a document from My documents and a photograph uploaded at the step', async () => {
    await page.goto(url('/forms/hlaseni-zavady'));
    await clickAndLoad(page.getByRole('button', { name: 'Vyplnit formulář', exact: true }));
    await page.getByLabel('Veřejné osvětlení').check();
    await page.getByLabel(/^Popis/).fill('Lampa u školy nesvítí už týden.');
    await page.getByLabel(/^Místo/).fill('Školní 418');
    await page.getByLabel(/^Nájemní smlouva\.pdf/).check();
    // A real PNG: the page as it looks now.
    const photo = await page.screenshot();
    await page.getByLabel('Nahrát soubor z počítače').setInputFiles([{ name: 'Lampa.png', mimeType: 'image/png', buffer: photo }]);
    await snapshot('form step, attachments');
    await clickAndLoad(page.getByRole('button', { name: 'Pokračovat', exact: true }));
    await clickAndLoad(page.getByRole('button', { name: 'Pokračovat', exact: true }));
    await assertHeading('Kontrola a odeslání');
    assert.match(await text(page.getByRole('main')), /Nájemní smlouva\.pdf.*Lampa\.png|Lampa\.png.*Nájemní smlouva\.pdf/s);
    await clickAndLoad(page.getByRole('button', { name: 'Odeslat podání', exact: true }));
    assert.match(await text(page.locator('#receipt-reference')), /^PO-2\/\d{4}$/);
  });
  accessible('form step, attachments');

  step('"Moje podání", from the main navigation, lists both submissions', async () => {
    await clickAndLoad(page.locator('header nav').first().getByRole('link', { name: 'Moje podání', exact: true }));
    assert.equal(pathOf(page.url()), '/submissions');
    await assertHeading('Moje podání');
    const rows = page.locator('#submissions li');
    assert.equal(await rows.count(), 2);
    assertNoBrokenSubresources();
    await snapshot('my submissions');
  });
  accessible('my submissions');

  step('back to the dashboard', async () => {
    await clickAndLoad(page.locator('header nav').first().getByRole('link', { name: 'Můj přehled', exact: true }));
    assert.equal(pathOf(page.url()), '/dashboard');
  });

  step('switching to English keeps the page and translates it', async () => {
    await clickAndLoad(page.locator('header').getByRole('link', { name: 'English', exact: true }));
    assert.equal(pathOf(page.url()), '/dashboard');
    await assertLang('en');
    await assertHeading('Hello, Jana Dvořáková');
    assert.equal(await page.locator('header').getByRole('button', { name: 'Log out', exact: true }).count(), 1);
    assert.equal(await page.locator('header').getByRole('link', { name: 'Čeština', exact: true }).count(), 1);

    assertNoBrokenSubresources();
    await snapshot('dashboard in English');
  });
  accessible('dashboard in English');

  step('accessibility statement, from the footer', async () => {
    await clickAndLoad(page.locator('footer a[href="/accessibility"]'));
    assert.equal(pathOf(page.url()), '/accessibility');
    await assertLang('en');
    await assertHeading('Accessibility statement');
    assert.ok((await page.locator('main p').count()) >= 1, 'the statement has text');

    assertNoBrokenSubresources();
    await snapshot('accessibility statement');
  });
  accessible('accessibility statement');

  step('an unknown address answers 404 with a helpful page', async () => {
    const response = await page.goto(url('/no-such-page'));
    assert.equal(response.status(), 404);
    await assertLang('en');
    await assertHeading('Page not found');
    assert.match(await text(page.locator('main')), /404/);
    assert.equal(await page.getByRole('main').getByRole('link', { name: 'Back to the home page' }).getAttribute('href'), '/');
    assert.equal(await page.locator('header').getByRole('link', { name: 'Čeština', exact: true }).count(), 1);

    assertNoBrokenSubresources();
    await snapshot('404 page');
  });
  accessible('404 page');

  step('logging out returns to the home page, logged out', async () => {
    await page.goto(url('/dashboard'));
    assert.equal(pathOf(page.url()), '/dashboard', 'still logged in before logging out');
    await clickAndLoad(page.locator('header').getByRole('button', { name: 'Log out', exact: true }));
    assert.equal(pathOf(page.url()), '/');
    await assertLang('en');
    await assertHeading('Citizen portal');
    const nav = page.locator('header nav').first();
    assert.equal(await nav.getByRole('link', { name: 'Log in', exact: true }).count(), 1, 'the nav offers "Log in" again');
    assert.equal(await page.getByRole('button', { name: 'Log out' }).count(), 0);

    // The session is really gone: the dashboard is no longer reachable.
    await page.goto(url('/dashboard'));
    assert.match(pathOf(page.url()), /^\/login\b/, 'the dashboard sends a logged-out visitor to log in');

    await page.goto(url('/'));
    assertNoBrokenSubresources();
    await snapshot('home page, logged out');
  });
  accessible('home page, logged out');

  // A second walk, from a fresh browser: logging in through a real OpenID provider. Only
  // the portal's pages are audited; the provider's login and consent pages are not ours.
  describe('logging in through an OpenID provider', () => {
    const step = walkSteps();
    const portalLogin = 'Přihlásit se: Testovací identita';

    before(
      async () => {
        oidcContext = await newWalkContext();
        // The provider's pages import a web font from the internet: a closed network must
        // not make them wait, and a test calls nobody outside this machine.
        await oidcContext.route(
          (address) => !['127.0.0.1', 'localhost', '[::1]'].includes(address.hostname),
          (route) => route.abort('blockedbyclient'),
        );
        page = await oidcContext.newPage();
        watchSubresources(page);
        brokenSubresources.splice(0); // what the first walk may have left
      },
      { timeout: STARTUP_TIMEOUT },
    );

    after(
      async () => {
        if (oidcContext) await settlesWithin(oidcContext.close(), 15_000);
      },
      { timeout: 30_000 },
    );

    /** Asserts that the provider (not the portal) shows the page, and that it is alive. */
    function assertAtProvider(what) {
      assert.equal(provider.child.exitCode, null, 'the OpenID provider is still running');
      const address = new URL(page.url());
      assert.equal(address.origin, provider.issuer, `${what} is the provider's page: ${page.url()}`);
      assert.match(address.pathname, /^\/interaction\//, `${what}: ${page.url()}`);
    }

    step('login page lists the OpenID provider next to the demo identity', async () => {
      const response = await page.goto(url('/login'));
      assert.equal(response.status(), 200);
      await assertLang('cs');
      assert.equal(await page.locator('main h1').count(), 1);

      const card = page
        .locator('main li')
        .filter({ has: page.getByRole('heading', { level: 2, name: 'Testovací identita', exact: true }) });
      assert.equal(await card.count(), 1, 'a card for the provider');
      const login = card.getByRole('link', { name: portalLogin, exact: true });
      assert.equal(await login.count(), 1, `the card's link is named "${portalLogin}"`);
      assert.match(await login.getAttribute('class'), /\bgov-button\b/);
      assert.equal(await login.getAttribute('href'), `/login/oidc/${OIDC_ID}?next=%2Fdashboard`);
      assert.ok(await login.isVisible());

      const demo = page.locator('main a.gov-button', { hasText: 'Ukázková identita' });
      assert.equal(await demo.count(), 1, 'the demo identity is still offered');

      assertNoBrokenSubresources();
      await screenshot('login-oidc');
      await snapshot('login page with an OpenID provider');
    });
    accessible('login page with an OpenID provider');

    step("the provider's link leads to the provider's login form", async () => {
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: portalLogin, exact: true }));
      assertAtProvider('the login form');
      const form = page.locator('form[method="post"]');
      assert.equal(await form.count(), 1, 'one login form');
      assert.equal(await form.locator('input[name="login"]').count(), 1);
      assert.equal(await form.locator('input[name="password"]').count(), 1);
      assert.equal(await form.locator('button[type="submit"]').count(), 1);
    });

    step('logging in as jana at the provider asks for consent', async () => {
      const form = page.locator('form[method="post"]');
      await form.locator('input[name="login"]').fill('jana');
      await form.locator('input[name="password"]').fill('any password will do');
      await clickAndLoad(form.locator('button[type="submit"]'));
      assertAtProvider('the consent form');
      assert.equal(await page.locator('input[name="login"]').count(), 0, 'no longer the login form');
      assert.equal(await page.locator('form[method="post"] button[type="submit"]').count(), 1, 'a consent button');
    });

    step('consenting returns to the portal, logged in as Jana Dvořáková', async () => {
      await clickAndLoad(page.locator('form[method="post"] button[type="submit"]'));
      assert.equal(
        pathOf(page.url()),
        '/dashboard',
        `back on the portal's dashboard, not on "${await page.title()}" (${page.url()})`,
      );
      assert.equal(new URL(page.url()).origin, new URL(server.base).origin);
      await assertLang('cs');
      await assertHeading('Dobrý den, Jana Dvořáková');
      const loa = page.locator('main p', { hasText: 'Úroveň záruky přihlášení' });
      assert.equal(await loa.count(), 1);
      assert.equal(await text(loa), 'Úroveň záruky přihlášení: nízká');

      const header = page.locator('header');
      assert.equal(await header.getByRole('button', { name: 'Odhlásit se', exact: true }).count(), 1);
      assert.equal(
        await header.getByRole('navigation').getByRole('link', { name: 'Přihlásit se', exact: true }).count(),
        0,
        'no "log in" link once logged in',
      );

      assertNoBrokenSubresources();
      await screenshot('dashboard-oidc');
      await snapshot('dashboard after an OpenID login');
    });
    accessible('dashboard after an OpenID login');

    step('logging out ends the session here, then at the provider, and returns home', async () => {
      await clickAndLoad(page.locator('header').getByRole('button', { name: 'Odhlásit se', exact: true }));
      await assertHeading('Odhlášení u poskytovatele identity');
      assert.equal(await page.locator('header').getByRole('button', { name: 'Odhlásit se' }).count(), 0, 'logged out here');
      await clickAndLoad(page.locator('main form button[type="submit"]'));
      // RP-initiated logout: the provider asks whether to end its session too.
      assert.equal(new URL(page.url()).origin, provider.issuer, `at the provider: ${page.url()}`);
      await clickAndLoad(page.getByRole('button', { name: 'Yes, sign me out' }));
      assert.equal(new URL(page.url()).pathname, '/', 'home, with the logout state the provider returns');
      await assertLang('cs');
      await assertHeading('Portál občana');
      const nav = page.locator('header nav').first();
      assert.equal(await nav.getByRole('link', { name: 'Přihlásit se', exact: true }).count(), 1, 'the nav offers "Přihlásit se" again');
      assert.equal(await page.getByRole('button', { name: 'Odhlásit se' }).count(), 0);

      // The session is really gone: the dashboard is no longer reachable.
      await page.goto(url('/dashboard'));
      assert.match(pathOf(page.url()), /^\/login\b/, 'the dashboard sends a logged-out visitor to log in');
      assertNoBrokenSubresources();
    });
  });

  // A third walk, from a fresh browser: logging in through the SAML IdP, as through NIA.
  describe('logging in through a SAML identity provider (NIA)', () => {
    const step = walkSteps();
    const portalLogin = 'Přihlásit se: Identita občana (test)';

    before(
      async () => {
        samlContext = await newWalkContext();
        page = await samlContext.newPage();
        watchSubresources(page);
        brokenSubresources.splice(0);
      },
      { timeout: STARTUP_TIMEOUT },
    );

    after(
      async () => {
        if (samlContext) await settlesWithin(samlContext.close(), 15_000);
      },
      { timeout: 30_000 },
    );

    step('login page offers the SAML provider first', async () => {
      await page.goto(url('/login'));
      const buttons = page.locator('main a.gov-button');
      assert.equal(await buttons.first().getAttribute('aria-label'), portalLogin, 'NIA comes first');
      assert.equal(await buttons.first().getAttribute('href'), `/login/saml/${SAML_ID}?next=%2Fdashboard`);
    });

    step('the hand-over page posts the signed request with a visible button', async () => {
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: portalLogin, exact: true }));
      assert.equal(new URL(page.url()).pathname, `/login/saml/${SAML_ID}`);
      await assertHeading('Pokračování k přihlášení');
      const form = page.locator('main form[method="post"]');
      assert.equal(await form.getAttribute('action'), `${idp.base}/sso`);
      assert.equal(await form.locator('input[name="SAMLRequest"]').count(), 1);
      assertNoBrokenSubresources();
      await snapshot('SAML hand-over page');
    });
    accessible('SAML hand-over page');

    step("pressing the button leads to the IdP's login page", async () => {
      await clickAndLoad(page.locator('main form[method="post"] button[type="submit"]'));
      assert.equal(new URL(page.url()).origin, idp.base, `at the IdP: ${page.url()}`);
    });

    step('logging in as jana at the IdP returns to the portal, logged in', async () => {
      await page.locator('input[name="person"][value="jana"]').check();
      await clickAndLoad(page.getByRole('button', { name: 'Přihlásit' }));
      // Without JavaScript the IdP's hand-back form waits for its button.
      await clickAndLoad(page.locator('#continue'));
      assert.equal(pathOf(page.url()), '/dashboard', `back on the dashboard, not ${page.url()}`);
      await assertHeading('Dobrý den, Jana Dvořáková');
      const loa = page.locator('main p', { hasText: 'Úroveň záruky přihlášení' });
      assert.equal(await text(loa), 'Úroveň záruky přihlášení: značná');
      assertNoBrokenSubresources();
      await snapshot('dashboard after a SAML login');
    });
    accessible('dashboard after a SAML login');

    step('logging out ends the session here, then hands over to the IdP', async () => {
      await clickAndLoad(page.locator('header').getByRole('button', { name: 'Odhlásit se', exact: true }));
      await assertHeading('Odhlášení u poskytovatele identity');
      const form = page.locator('main form[method="post"]');
      assert.equal(await form.getAttribute('action'), `${idp.base}/slo`);
      assert.equal(await page.locator('header').getByRole('button', { name: 'Odhlásit se' }).count(), 0, 'logged out here');
      assertNoBrokenSubresources();
      await snapshot('SAML logout hand-over page');
    });
    accessible('SAML logout hand-over page');

    step('the IdP logs out too and sends the person home', async () => {
      await clickAndLoad(page.locator('main form[method="post"] button[type="submit"]'));
      await clickAndLoad(page.locator('#continue'));
      assert.equal(pathOf(page.url()), '/');
      await assertHeading('Portál občana');
      await page.goto(url('/dashboard'));
      assert.match(pathOf(page.url()), /^\/login\b/, 'the session is gone');
    });
  });
  // A fourth walk, from a fresh browser: the back office. The administrator of a fresh
  // installation logs in with the initial password from the command line, sets a password
  // and an authenticator app, builds the organisation and creates an official and an
  // auditor; the official registers a citizen at the counter; the citizen activates the
  // account and logs in with a password and a code; the auditor reads the audit log.
  describe('the back office, counter registration and local login', () => {
    const step = walkSteps();
    const accounts = {}; // login → initial password
    const staffApps = {}; // login → { secret, step }: the app set up at the first login, and its last code's step
    let receipt; // { login, code }
    let records; // the records system: its token and signing secret, its webhook receiver

    before(
      async () => {
        records = { hooks: await webhookReceiver() };
        officeContext = await newWalkContext();
        page = await officeContext.newPage();
        watchSubresources(page);
        brokenSubresources.splice(0);
        accounts.spravce = await createAdmin('spravce');
      },
      { timeout: STARTUP_TIMEOUT },
    );

    after(
      async () => {
        if (officeContext) await settlesWithin(officeContext.close(), 15_000);
        if (records) await records.hooks.close();
      },
      { timeout: 30_000 },
    );

    async function submit(form) {
      await clickAndLoad(form.locator('button[type="submit"]').last());
    }

    /** Logs in with the initial password and sets up the account: a new password and the app. */
    async function firstLogin(login, password) {
      await page.goto(url('/office/login'));
      const form = page.locator('main form[method="post"]');
      await form.getByLabel('Přihlašovací jméno').fill(login);
      await form.getByLabel('Heslo', { exact: true }).fill(password);
      await submit(form);
      assert.equal(pathOf(page.url()), '/office/login/setup');
      await assertHeading('Nastavení přihlášení');
      const secret = await page.locator('#totp-secret').innerText();
      const setup = page.locator('main form[method="post"]');
      await setup.getByLabel('Nové heslo', { exact: true }).fill('an office passphrase for e2e');
      await setup.getByLabel('Nové heslo znovu').fill('an office passphrase for e2e');
      await setup.getByLabel('Kód, který aplikace ukazuje').fill(totp(secret));
      staffApps[login] = { secret, step: totpStep() };
      return setup;
    }

    /** A later login with the password and a code of a 30-second step the account has not used. */
    async function staffLogin(login) {
      const app = staffApps[login];
      if (totpStep() === app.step) await sleep(30_000 - (Date.now() % 30_000) + 500);
      await page.goto(url('/office/login'));
      const form = page.locator('main form[method="post"]');
      await form.getByLabel('Přihlašovací jméno').fill(login);
      await form.getByLabel('Heslo', { exact: true }).fill('an office passphrase for e2e');
      await submit(form);
      assert.equal(pathOf(page.url()), '/office/login/code');
      const code = page.locator('main form[method="post"]');
      await code.getByLabel('Ověřovací kód').fill(totp(app.secret));
      app.step = totpStep();
      return code;
    }

    async function logOut() {
      await clickAndLoad(page.locator('header').getByRole('button', { name: 'Odhlásit se', exact: true }));
      assert.equal(pathOf(page.url()), '/');
    }

    step('the staff login page', async () => {
      const response = await page.goto(url('/office'));
      assert.equal(pathOf(page.url()), '/office/login?next=%2Foffice', 'the office sends strangers to log in');
      assert.equal(response.status(), 200);
      await assertLang('cs');
      await assertHeading('Přihlášení zaměstnanců úřadu');
      const form = page.locator('main form[method="post"][action="/office/login"]');
      assert.equal(await form.getByLabel('Přihlašovací jméno').count(), 1);
      assert.equal(await form.getByLabel('Heslo', { exact: true }).getAttribute('type'), 'password');
      assertNoBrokenSubresources();
      await snapshot('staff login page');
    });
    accessible('staff login page');

    step('a wrong password is refused with a page that keeps the login name', async () => {
      const form = page.locator('main form[method="post"]');
      await form.getByLabel('Přihlašovací jméno').fill('spravce');
      await form.getByLabel('Heslo', { exact: true }).fill('not the password');
      await submit(form);
      assert.match(await text(page.getByRole('alert')), /nesouhlasí/);
      assert.equal(await page.getByLabel('Přihlašovací jméno').inputValue(), 'spravce');
      assert.equal(await page.getByLabel('Heslo', { exact: true }).inputValue(), '', 'never the password');
      await snapshot('staff login refused');
    });
    accessible('staff login refused');

    step('the first login sets a password and enrols the app from a QR code', async () => {
      const setup = await firstLogin('spravce', accounts.spravce);
      const qr = page.locator('main img.obcan-qr');
      assert.equal(await qr.getAttribute('alt'), 'QR kód pro ověřovací aplikaci');
      assert.ok((await qr.evaluate((img) => img.naturalWidth)) > 0, 'the QR code is drawn without JavaScript');
      assertNoBrokenSubresources();
      await snapshot('staff account setup');
      await submit(setup);
      assert.equal(pathOf(page.url()), '/office');
      await assertHeading('Pracoviště úřadu');
      assert.match(await text(page.locator('main')), /správce/);
      await screenshot('office-home');
      await snapshot('office home of an administrator');
    });
    accessible('staff account setup');
    accessible('office home of an administrator');

    step('the administrator creates two departments, each with an agenda', async () => {
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'Odbory a agendy' }));
      await assertHeading('Odbory a agendy');
      // Each agenda has the key its form names: the form's submissions come there.
      for (const [departmentName, agendaName, key] of [
        ['Odbor dopravy', 'Řidičské průkazy', 'ridicske-prukazy'],
        ['Odbor správy města', 'Veřejný prostor', 'verejny-prostor'],
      ]) {
        const department = page.locator('form[action="/office/organisation/departments"]');
        await department.getByLabel('Název').fill(departmentName);
        await submit(department);
        const agenda = page.locator('form[action="/office/organisation/agendas"]');
        await agenda.getByLabel('Odbor').selectOption({ label: departmentName });
        await agenda.getByLabel('Název').fill(agendaName);
        await agenda.getByLabel(/^Klíč agendy pro formuláře/).fill(key);
        await submit(agenda);
      }
      const rows = page.locator('main table tbody tr');
      assert.deepEqual(await rows.allInnerTexts().then((all) => all.map((row) => row.replace(/\s+/g, ' ').trim())), [
        'Odbor dopravy Řidičské průkazy (ridicske-prukazy)',
        'Odbor správy města Veřejný prostor (verejny-prostor)',
      ]);
      assertNoBrokenSubresources();
      await snapshot('departments and agendas');
    });
    accessible('departments and agendas');

    step("the administrator lets the office's records system in for the public-space agenda", async () => {
      await clickAndLoad(page.locator('#integrations-link'));
      await assertHeading('Integrace se spisovou službou');
      await snapshot('integrations, none yet');
      const form = page.locator('form[action="/office/organisation/integrations"]');
      await form.getByLabel('Název').fill('Spisová služba Vzorov');
      await form.getByLabel('Adresa pro webhooky').fill(records.hooks.url);
      await submit(form);
      // Nothing is created without an agenda; what was typed stays.
      await assertHeading('Integrace se spisovou službou');
      assert.match(await text(page.getByRole('alert')), /Vyberte alespoň jednu agendu/);
      assert.equal(await form.getByLabel('Název').inputValue(), 'Spisová služba Vzorov');
      await snapshot('integrations, refused');
      await form.getByLabel(/Veřejný prostor/).check();
      await submit(form);
      await assertHeading('Klient je založen');
      records.token = await text(page.locator('#client-token'));
      records.secret = await text(page.locator('#client-secret'));
      assert.equal(records.token.length, 43);
      await snapshot('integration client created');
      await clickAndLoad(page.getByRole('link', { name: 'Zpět na integrace' }));
      assert.match(await text(page.locator('#integration-clients tbody')), /Spisová služba Vzorov.*verejny-prostor/);
      assert.doesNotMatch(await page.content(), new RegExp(records.token), 'the token is shown once');
      assertNoBrokenSubresources();
      await snapshot('integrations');
    });
    accessible('integrations, none yet');
    accessible('integrations, refused');
    accessible('integration client created');
    accessible('integrations');

    step('the administrator creates an official and an auditor; each password is shown once', async () => {
      for (const [login, name, role] of [['urednik', 'Petr Úředník', 'úředník'], ['auditor', 'Eva Auditorka', 'auditor'], ['spisovna', 'Jana Spisová', 'správce spisovny']]) {
        await page.goto(url('/office/staff/new'));
        await assertHeading('Nový zaměstnanec');
        const form = page.locator('main form[method="post"]');
        await form.getByLabel('Přihlašovací jméno').fill(login);
        await form.getByLabel('Jméno', { exact: true }).fill(name);
        await form.getByLabel(role, { exact: true }).check();
        if (login === 'urednik') await snapshot('new staff member form');
        await submit(form);
        await assertHeading('Účet je vytvořen');
        accounts[login] = await page.locator('#initial-password').innerText();
        assert.equal(accounts[login].length, 20);
      }
      await snapshot('staff member created');
    });
    accessible('new staff member form');
    accessible('staff member created');

    step("the official's scope is the two new agendas", async () => {
      await page.goto(url('/office/staff'));
      await assertHeading('Zaměstnanci');
      assert.equal(await page.locator('main table tbody tr').count(), 4);
      await snapshot('staff list');
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'urednik', exact: true }));
      await assertHeading('Petr Úředník');
      for (const agenda of ['Odbor dopravy – Řidičské průkazy', 'Odbor správy města – Veřejný prostor']) {
        const scope = page.locator('main form', { has: page.locator('input[name="change"][value="add-scope"]') });
        await scope.getByRole('combobox').selectOption({ label: agenda });
        await submit(scope);
        const item = page.locator('main li', { hasText: agenda });
        assert.equal(await item.getByRole('button', { name: /^Odebrat/ }).count(), 1);
      }
      assertNoBrokenSubresources();
      await snapshot('staff member detail');
      await logOut();
    });
    accessible('staff list');
    accessible('staff member detail');

    step('the official registers a citizen at the counter and prints the receipt', async () => {
      await submit(await firstLogin('urednik', accounts.urednik));
      await assertHeading('Pracoviště úřadu');
      assert.equal(await page.getByRole('main').getByRole('link', { name: 'Řidičské průkazy' }).count(), 1);
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'Zřízení účtu na přepážce' }));
      await assertHeading('Zřízení účtu na přepážce');
      const form = page.locator('main form[method="post"]');
      await form.getByLabel('Jméno', { exact: true }).fill('Božena');
      await form.getByLabel('Příjmení').fill('Němcová');
      await form.getByLabel('Datum narození').fill('1950-02-04');
      await form.getByLabel('Přihlašovací jméno').fill('bozena');
      await form.getByLabel('Ověřený doklad').selectOption('id_card');
      await form.getByLabel('Číslo dokladu').fill('123456789');
      await form.getByLabel(/Totožnost jsem ověřil/).check();
      await snapshot('counter registration form');
      await submit(form);
      await assertHeading('Potvrzení o zřízení účtu');
      receipt = { login: await page.locator('#receipt-login').innerText(), code: await page.locator('#receipt-code').innerText() };
      assert.match(receipt.code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      assertNoBrokenSubresources();
      await screenshot('counter-receipt');
      await snapshot('registration receipt');
    });
    accessible('counter registration form');
    accessible('registration receipt');

    step("the official takes up Jana's driving-licence application from the agenda's queue and resolves it", async () => {
      await page.goto(url('/office'));
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'Řidičské průkazy' }));
      await assertHeading('Řidičské průkazy');
      const row = page.locator('#queue tbody tr', { hasText: 'Nový řidičský průkaz – končí platnost' });
      assert.equal(await row.count(), 1);
      assert.match(await text(row), /Přijato/);
      await snapshot('agenda queue');
      await clickAndLoad(row.getByRole('link'));
      assert.match(await text(page.locator('main h1')), /^Nový řidičský průkaz – končí platnost PO-1\/\d{4}$/);
      assert.ok(await page.getByRole('main').getByText('845307/1000').isVisible(), 'the content is shown');
      await clickAndLoad(page.getByRole('button', { name: 'Převzít k vyřízení', exact: true }));
      assert.equal(await text(page.locator('#submission-state')), 'Vyřizuje se');
      await page.getByLabel('Zpráva občanovi nebo poznámka').fill('Nový průkaz si můžete vyzvednout na odboru dopravy od pondělí.');
      await clickAndLoad(page.getByRole('button', { name: 'Vyřídit', exact: true }));
      assert.equal(await text(page.locator('#submission-state')), 'Vyřízeno');
      assertNoBrokenSubresources();
      await snapshot('submission, worked');
    });
    accessible('agenda queue');
    accessible('submission, worked');

    step("the official takes up Jana's problem report and asks her for more", async () => {
      await page.goto(url('/office'));
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'Veřejný prostor' }));
      await assertHeading('Veřejný prostor');
      const row = page.locator('#queue tbody tr', { hasText: 'Hlášení závady ve veřejném prostoru' });
      await clickAndLoad(row.getByRole('link'));
      assert.ok(await page.getByRole('main').getByText('Lampa u školy nesvítí už týden.').isVisible());
      assert.match(await text(page.locator('#documents')), /Nájemní smlouva\.pdf/);
      assert.match(await text(page.locator('#documents')), /Lampa\.png/);
      // Nobody works it yet: it can be given to an official of the agenda.
      assert.match(await text(page.getByLabel('Komu', { exact: true })), /urednik|Úředník/i);
      await snapshot('submission, received');
      await clickAndLoad(page.getByRole('button', { name: 'Převzít k vyřízení', exact: true }));
      await page.getByLabel('Zpráva občanovi nebo poznámka').fill('Pošlete prosím fotografii sloupu s jeho číslem.');
      await clickAndLoad(page.getByRole('button', { name: 'Požádat o doplnění', exact: true }));
      assert.equal(await text(page.locator('#submission-state')), 'Čeká na občana');
      await logOut();
    });

    step("the office's records system hears of it by signed webhooks and gives it a číslo jednací", async () => {
      // Taken up, then waiting for the citizen: two changes, each sent within seconds.
      for (let waited = 0; records.hooks.received.length < 2 && waited < 40; waited++) await sleep(500);
      const key = Buffer.from(records.secret.replace(/^whsec_/, ''), 'base64url');
      const events = records.hooks.received.map(({ headers, body }) => {
        const [, t, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers['obcan-signature']) ?? [];
        assert.equal(createHmac('sha256', key).update(`${t}.${body}`).digest('hex'), mac, 'signed with the secret shown once');
        const event = JSON.parse(body);
        assert.equal(headers['obcan-event-id'], event.id);
        return event;
      });
      assert.deepEqual(events.map((event) => `${event.type} ${event.submission.state}`).sort(), [
        'submission.state_changed in_progress',
        'submission.state_changed waiting',
      ]);
      const report = events[0].submission;
      assert.match(report.reference, /^PO-\d+\/\d{4}$/);

      const queue = await recordsApi(records.token, 'GET', '/unregistered');
      assert.equal(queue.status, 200);
      assert.ok(queue.json.submissions.some((listed) => listed.id === report.id), 'in the registration queue');
      const registration = `/submissions/${report.id}/registration`;
      const given = await recordsApi(records.token, 'PUT', registration, { number: 'MUVZ/77/2026' });
      assert.equal(given.status, 201);
      // A retry of the same number changes nothing; another number is refused.
      assert.equal((await recordsApi(records.token, 'PUT', registration, { number: 'MUVZ/77/2026' })).status, 200);
      assert.equal((await recordsApi(records.token, 'PUT', registration, { number: 'MUVZ/78/2026' })).status, 409);
      const read = await recordsApi(records.token, 'GET', `/submissions/${report.id}`);
      assert.equal(read.json.registration.number, 'MUVZ/77/2026');
      assert.ok(!(await recordsApi(records.token, 'GET', '/unregistered')).json.submissions.some((listed) => listed.id === report.id));
    });

    step('Jana answers with a photograph from My documents, by keyboard', async () => {
      await page.goto(url('/login/demo'));
      await clickAndLoad(page.getByRole('button', { name: 'Přihlásit jako Jana Dvořáková', exact: true }));
      await page.goto(url('/submissions'));
      await clickAndLoad(page.locator('#submissions li', { hasText: 'Hlášení závady' }).getByRole('link'));
      assert.equal(await text(page.locator('#submission-state')), 'Čeká na vás');
      assert.match(await text(page.locator('#timeline')), /Pošlete prosím fotografii sloupu/);
      // Sent empty first: the message is asked for at its field, the choice kept.
      await page.getByLabel(/^Nájemní smlouva\.pdf/).check();
      await clickAndLoad(page.getByRole('button', { name: 'Odeslat úřadu', exact: true }));
      assert.equal(await text(page.locator('#reply-message-error')), 'Napište zprávu úřadu.');
      assert.ok(await page.getByLabel(/^Nájemní smlouva\.pdf/).isChecked(), 'the choice is kept');
      await snapshot('reply with an error');
      await page.getByLabel('Zpráva úřadu').focus();
      await page.keyboard.type('Číslo sloupu je na smlouvě, posílám ji.');
      // On through her documents' boxes to the button.
      for (let presses = 0; presses < 20 && (await page.evaluate(() => document.activeElement?.id)) !== 'reply-send'; presses++) {
        await page.keyboard.press('Tab');
      }
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'reply-send');
      await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
      assert.equal(await text(page.locator('main [role="status"]')), 'Vaše odpověď je odeslána úřadu.');
      assert.equal(await text(page.locator('#submission-state')), 'Vyřizuje se');
      assertNoBrokenSubresources();
      await snapshot('reply sent');
      await logOut();
    });
    accessible('reply with an error');
    accessible('reply sent');

    step("the official finds Jana's answered report in the queue, reads it, downloads its document and resolves it with a decision", async () => {
      await submit(await staffLogin('urednik'));
      await page.goto(url('/office'));
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'Veřejný prostor' }));
      // The queue filtered to the open submissions given to this official.
      await page.getByLabel('Stav', { exact: true }).selectOption('open');
      await page.getByLabel('Přiděleno', { exact: true }).selectOption('me');
      await clickAndLoad(page.getByRole('button', { name: 'Vyhledat', exact: true }));
      assert.match(page.url(), /state=open&assignee=me/);
      assert.equal(await page.locator('#queue tbody tr').count(), 1);
      await snapshot('agenda queue, filtered');
      await page.getByLabel('Jen po lhůtě', { exact: true }).check();
      await clickAndLoad(page.getByRole('button', { name: 'Vyhledat', exact: true }));
      assert.equal(await text(page.locator('#queue-empty')), 'Filtru neodpovídá žádné podání.');
      await clickAndLoad(page.getByRole('link', { name: 'Zrušit filtr', exact: true }));
      await clickAndLoad(page.locator('#queue tbody tr', { hasText: 'Hlášení závady' }).getByRole('link'));
      assert.match(await text(page.locator('#timeline')), /Odpověď občana.*Číslo sloupu je na smlouvě, posílám ji\./);
      assert.equal(await text(page.locator('#registration-number')), 'MUVZ/77/2026');
      const links = page.locator('#documents a');
      assert.equal(await links.count(), 3, 'what the report came with and what the answer sent');
      const download = await page.request.get(url(await links.filter({ hasText: 'Nájemní smlouva.pdf' }).last().getAttribute('href')));
      assert.equal(download.status(), 200);
      assert.ok((await download.body()).subarray(0, 5).equals(Buffer.from('%PDF-')));
      await snapshot('submission with the citizen\'s answer');
      await page.getByLabel('Zpráva občanovi nebo poznámka').fill('Lampu jsme opravili.');
      await page.getByLabel('Dokument pro občana (nepovinné)').setInputFiles([
        { name: 'Vyrozumění o opravě.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% Lampa opravena\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n') },
      ]);
      await clickAndLoad(page.getByRole('button', { name: 'Vyřídit', exact: true }));
      assert.equal(await text(page.locator('#submission-state')), 'Vyřízeno');
      assert.match(await text(page.locator('#documents')), /Vyrozumění o opravě\.pdf/);
      await logOut();
    });
    accessible('submission, received');
    accessible('agenda queue, filtered');
    accessible("submission with the citizen's answer");

    step('Jana sees the resolution and the message on her dashboard and in "Moje podání"', async () => {
      await page.goto(url('/login/demo'));
      await clickAndLoad(page.getByRole('button', { name: 'Přihlásit jako Jana Dvořáková', exact: true }));
      assert.equal(pathOf(page.url()), '/dashboard');
      assert.match(await text(page.locator('#inbox')), /Podání vyřízeno: Nový řidičský průkaz – končí platnost PO-1\/\d{4}.*Nový průkaz si můžete vyzvednout/);
      await snapshot('dashboard with news from the office');
      await page.goto(url('/submissions'));
      assert.match(await text(page.locator('#submissions li', { hasText: 'Hlášení závady' })), /Vyřízeno/);
      // The decision sent with the report's resolution is in her documents.
      await clickAndLoad(page.locator('#submissions li', { hasText: 'Hlášení závady' }).getByRole('link'));
      assert.equal(await text(page.locator('#registration-number')), 'MUVZ/77/2026');
      await clickAndLoad(page.locator('#attachments').getByRole('link', { name: 'Vyrozumění o opravě.pdf', exact: true }));
      assert.match(await text(page.getByRole('main')), /Doručil úřad/);
      await page.goto(url('/submissions'));
      const row = page.locator('#submissions li', { hasText: 'Nový řidičský průkaz – končí platnost' });
      assert.match(await text(row), /Vyřízeno/);
      await clickAndLoad(row.getByRole('link'));
      assert.equal(await text(page.locator('#submission-state')), 'Vyřízeno');
      assert.match(await text(page.locator('#timeline')), /Podání vyřízeno.*Nový průkaz si můžete vyzvednout na odboru dopravy od pondělí\./);
      assert.equal(await page.locator('#withdraw').count(), 0, 'a settled submission cannot be withdrawn');
      await snapshot('submission resolved, as the citizen');
      await logOut();
    });
    accessible('dashboard with news from the office');
    accessible('submission resolved, as the citizen');

    step('the citizen activates the account with the code, a password and the app', async () => {
      await page.goto(url('/login'));
      const local = page.locator('main a.gov-button', { hasText: 'Účet zřízený na úřadě' });
      assert.equal(await local.count(), 1, 'the login page offers accounts set up at the office');
      await clickAndLoad(local);
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: /Aktivujte účet/ }));
      await assertHeading('Aktivace účtu');
      await snapshot('activation form');
      const form = page.locator('main form[method="post"]');
      await form.getByLabel('Aktivační kód').fill(receipt.code);
      await submit(form);
      await assertHeading('Aktivace účtu');
      const secret = await page.locator('#totp-secret').innerText();
      receipt.secret = secret;
      const setup = page.locator('main form[method="post"]');
      await setup.getByLabel('Nové heslo', { exact: true }).fill('bozena has her own password');
      await setup.getByLabel('Nové heslo znovu').fill('bozena has her own password');
      // A password that contains the login name is refused, with the reason.
      await setup.getByLabel('Kód, který aplikace ukazuje').fill(totp(secret));
      await submit(setup);
      assert.match(await text(page.getByRole('alert')), /přihlašovací jméno/);
      await snapshot('activation with an error');
      const again = page.locator('main form[method="post"]');
      await again.getByLabel('Nové heslo', { exact: true }).fill('a password of her own');
      await again.getByLabel('Nové heslo znovu').fill('a password of her own');
      await again.getByLabel('Kód, který aplikace ukazuje').fill(totp(secret));
      await submit(again);
      assert.equal(pathOf(page.url()), '/login/local?activated=1');
      assert.match(await text(page.getByRole('status')), /Účet je aktivován/);
      await snapshot('local login after activation');
    });
    accessible('activation form');
    accessible('activation with an error');
    accessible('local login after activation');

    step('the citizen logs in with the password and a code, at level of assurance low', async () => {
      // The activation used this 30-second step's code: wait for the next one.
      await sleep(30_000 - (Date.now() % 30_000) + 500);
      const form = page.locator('main form[method="post"]');
      await form.getByLabel('Přihlašovací jméno').fill(receipt.login);
      await form.getByLabel('Heslo', { exact: true }).fill('a password of her own');
      await submit(form);
      assert.equal(pathOf(page.url()), '/login/local/code');
      await assertHeading('Kód z ověřovací aplikace');
      await snapshot('code page');
      const code = page.locator('main form[method="post"]');
      await code.getByLabel('Ověřovací kód').fill(totp(receipt.secret));
      await submit(code);
      assert.equal(pathOf(page.url()), '/dashboard');
      await assertHeading('Dobrý den, Božena Němcová');
      assert.equal(await text(page.locator('main p', { hasText: 'Úroveň záruky přihlášení' })), 'Úroveň záruky přihlášení: nízká');
      await logOut();
    });
    accessible('code page');

    step('the auditor reads the audit log, which recorded all of it', async () => {
      await submit(await firstLogin('auditor', accounts.auditor));
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'Auditní záznam' }));
      await assertHeading('Auditní záznam');
      const actions = await page.locator('main table tbody tr td:nth-child(4)').allInnerTexts();
      for (const action of ['staff_created', 'staff_login_failed', 'credentials_set', 'staff_login', 'department_created', 'agenda_created', 'scope_granted', 'citizen_registered', 'citizen_activated', 'login', 'submission_read', 'submission_worked']) {
        assert.ok(actions.includes(action), `${action} is in the audit log: ${actions.join(', ')}`);
      }
      assertNoBrokenSubresources();
      await screenshot('audit-log');
      await snapshot('audit log');
    });
    accessible('audit log');

    step('the records manager opens a file; a wrong form keeps what was typed', async () => {
      await logOut();
      await submit(await firstLogin('spisovna', accounts.spisovna));
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'Spisy' }));
      await assertHeading('Spisy');
      const form = page.locator('main form[method="post"][action="/office/records"]');
      await form.getByLabel('Věc').fill('Petice za přechod u školy');
      await submit(form);
      assert.match(await text(page.getByRole('alert')), /Vyberte spisový znak/);
      assert.equal(await page.getByLabel('Věc').inputValue(), 'Petice za přechod u školy');
      await snapshot('records with an error');
      const again = page.locator('main form[method="post"][action="/office/records"]');
      await again.getByLabel('Spisový znak').selectOption('2.2');
      await submit(again);
      assert.match(await text(page.getByRole('status')), /Spis byl založen/);
      assert.match(await page.locator('#file-reference').innerText(), /^SP-\d+\/\d{4}$/);
      assertNoBrokenSubresources();
      await snapshot('record file, open');
    });
    accessible('records with an error');
    accessible('record file, open');

    step('a document is filed, the file closed and put on hold', async () => {
      await page.getByLabel('Soubor', { exact: true }).setInputFiles([
        { name: 'Petice.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n') },
      ]);
      await submit(page.locator('main form[enctype="multipart/form-data"]'));
      assert.match(await text(page.getByRole('status')), /Dokument byl vložen/);
      assert.ok(await page.getByRole('link', { name: 'Petice.pdf', exact: true }).isVisible());
      await submit(page.locator('main form[action$="/close"]'));
      assert.equal(await page.locator('#file-state').innerText(), 'uzavřený');
      const hold = page.locator('main form[action$="/hold"]');
      await submit(hold);
      assert.match(await text(page.getByRole('alert')), /Vyplňte důvod blokace/);
      await snapshot('record file, hold refused');
      await page.getByLabel('Důvod blokace').fill('Soudní spor 12 C 34/2026');
      await submit(page.locator('main form[action$="/hold"]'));
      assert.equal(await page.locator('#hold-reason').innerText(), 'Soudní spor 12 C 34/2026');
      await snapshot('record file, closed and held');
      const exported = await page.request.get(url(await page.locator('#export').getAttribute('href')));
      assert.equal(exported.status(), 200);
      assert.equal(exported.headers()['content-type'], 'application/zip');
      assert.match(exported.headers()['content-disposition'], /filename="SIP-SP-\d+-\d{4}\.zip"/);
      const zip = await exported.body();
      assert.ok(zip.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')), 'a ZIP');
      assert.ok(zip.includes('komponenty/1_Petice.pdf'), 'the document is in the package');
      await clickAndLoad(page.getByRole('link', { name: 'Zpět na spisy' }));
      await clickAndLoad(page.getByRole('main').getByRole('link', { name: 'Skartační řízení' }));
      await assertHeading('Skartační řízení');
      assert.ok(await page.getByText('Žádný spis není po skartační lhůtě.').isVisible());
      assertNoBrokenSubresources();
      await snapshot('disposal');
    });
    accessible('record file, hold refused');
    accessible('record file, closed and held');
    accessible('disposal');
  });
});
