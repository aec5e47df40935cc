// A line protocol over stdin/stdout so that .NET tests can drive a real browser: each input line
// is one JSON command {id, op, ...}, each output line one JSON answer {id, ok, value|error}.
// The browser is the system's Chromium (CHROMIUM, default /usr/bin/chromium), headless; nothing
// is downloaded. Every page records console errors, uncaught exceptions and refused requests, so
// a test can assert that the Content-Security-Policy blocked nothing the console needs.
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const contexts = new Map();
let nextContext = 1;

// "scope >> selector" narrows to the elements inside the first CSS match of scope.
function locate(root, selector) {
  const split = selector.indexOf(' >> ');
  if (split > 0) return locate(root.locator(selector.slice(0, split)).first(), selector.slice(split + 4));
  const [kind, ...rest] = selector.split('=');
  const value = rest.join('=');
  if (kind === 'label') return root.getByLabel(value, { exact: true });
  if (kind === 'role') {
    const [role, name] = value.split('/');
    return name === undefined ? root.getByRole(role) : root.getByRole(role, { name, exact: true });
  }
  if (kind === 'text') return root.getByText(value);
  return root.locator(selector);
}

const ops = {
  async open({ width = 1280, height = 900 }) {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, reducedMotion: 'reduce' });
    const page = await context.newPage();
    const problems = [];
    page.on('console', m => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', e => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', r => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    // A confirmation the page asks for is answered yes, as the operator in the test would.
    page.on('dialog', d => d.accept());
    const id = nextContext++;
    contexts.set(id, { context, page, problems });
    return id;
  },
  async close({ context }) { await contexts.get(context).context.close(); contexts.delete(context); return true; },
  async goto({ page, url }) { await page.goto(url, { waitUntil: 'load' }); return page.url(); },
  async url({ page }) { return page.url(); },
  async fill({ page, selector, value }) { await locate(page, selector).fill(value); return true; },
  async click({ page, selector }) { await locate(page, selector).click(); return true; },
  async press({ page, key }) { await page.keyboard.press(key); return true; },
  async select({ page, selector, value }) { await locate(page, selector).selectOption(value); return true; },
  async check({ page, selector }) { await locate(page, selector).check(); return true; },
  async text({ page, selector }) { return await locate(page, selector).first().innerText(); },
  async count({ page, selector }) { return await locate(page, selector).count(); },
  async waitText({ page, selector, text, timeout = 15000 }) {
    const target = locate(page, selector).first();
    const deadline = Date.now() + timeout;
    let last = '';
    while (Date.now() < deadline) {
      last = await target.innerText({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => last);
      if (last.includes(text)) return last;
      await page.waitForTimeout(100);
    }
    throw new Error(`"${selector}" did not show "${text}" within ${timeout} ms; it shows: ${last.slice(0, 500)}`);
  },
  async focused({ page }) { return await page.evaluate(() => { const e = document.activeElement; return e ? `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} ${e.textContent?.trim().slice(0, 40) ?? ''}`.trim() : ''; }); },
  async evaluate({ page, expression }) { return await page.evaluate(expression); },
  async cookies({ context }) { return await contexts.get(context).context.cookies(); },
  async screenshot({ page, path, fullPage = false }) { await page.screenshot({ path, fullPage, animations: 'disabled' }); return path; },
  async problems({ context }) { const c = contexts.get(context); return c.problems.splice(0); },
  async axe({ page }) {
    const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(source);
    const result = await page.evaluate(() => globalThis.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
    return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`);
  },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const command = JSON.parse(line);
  try {
    const op = ops[command.op];
    if (!op) throw new Error(`unknown op ${command.op}`);
    const args = { ...command, page: command.context ? contexts.get(command.context)?.page : undefined };
    const value = await op(args);
    process.stdout.write(JSON.stringify({ id: command.id, ok: true, value }) + '\n');
  } catch (error) {
    process.stdout.write(JSON.stringify({ id: command.id, ok: false, error: String(error?.message ?? error) }) + '\n');
  }
}
await browser.close();
