// Screenshots of what staff see in the Temporal Web UI, for docs/temporal-ui.md. Against a running
// quick-start system (`bash scripts/start.sh`: API on 3000, Temporal UI on 8233, codec server on
// 8888): places an order (two lines; Acme accepts its line, Globex's still awaits), signs into the
// codec server with a staff key (the UI decodes summaries and details through it, X-7), then saves
// docs/temporal-ui-list.png (the list filtered by OrderNumber: both statuses, the search
// attributes), docs/temporal-ui-order.png (the Order workflow's page: its summary and current
// details) and docs/temporal-ui-line-timeline.png (a line's timeline: timer and activity summaries).
//   npx tsx scripts/screenshots.ts
// API_URL, TEMPORAL_UI_URL, CODEC_URL, TEMPORAL_ADDRESS and STAFF_KEY override the defaults.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { chromium, type Page } from 'playwright-core';
import { projectRoot } from '../infra/config';
import { TEST_CARDS } from '../infra/sandbox-gateway';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';

const API = process.env.API_URL ?? 'http://localhost:3000';
const UI = process.env.TEMPORAL_UI_URL ?? 'http://localhost:8233';
const CODEC = process.env.CODEC_URL ?? 'http://localhost:8888';
const TEMPORAL = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const STAFF_KEY = process.env.STAFF_KEY ?? DEMO_KEYS.ops;
const DOCS = path.join(projectRoot, 'docs');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function api(method: string, route: string, opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${API}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}), ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** An order of two lines by "Jane Doe"; Acme accepts its line, Globex's stays with its seller. */
async function placeOrder(): Promise<{ orderId: string; number: string }> {
  const { acme, globex } = DEMO.sellers;
  const checkout = await api('POST', '/checkout', {
    headers: { 'idempotency-key': `screenshots-${randomUUID()}` },
    body: {
      customer: { email: `jane.doe.${randomUUID().slice(0, 8)}@example.test`, name: 'Jane Doe', type: 'individual', address: '8 rue des Lilas, 69003 Lyon' },
      lines: [{ offerId: DEMO.offers.acmeMail.id }, { offerId: DEMO.offers.globexBackup.id }],
      acceptedTerms: [
        { sellerId: acme.id, version: acme.terms },
        { sellerId: globex.id, version: globex.terms },
      ],
      card: { number: TEST_CARDS.success, expMonth: 12, expYear: 2030, cvc: '123' },
    },
  });
  if (checkout.status !== 201) throw new Error(`checkout: ${checkout.status} ${JSON.stringify(checkout.body)}`);
  const { orderId, number, lines } = checkout.body as { orderId: string; number: string; lines: { lineId: string; sellerId: string }[] };
  const acmeLine = lines.find((l) => l.sellerId === acme.id)!;
  // The line reaches its seller once its workflow has run: the accept is refused until then.
  await until('the Acme line to accept', async () => {
    const res = await api('POST', `/orders/${orderId}/lines/${acmeLine.lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'Sign in at https://mail.acme.test with the address you ordered with.' } });
    return res.status === 200 ? true : undefined;
  });
  console.log(`[screenshots] order ${number} (${orderId}) placed, Acme's line accepted`);
  return { orderId, number };
}

/**
 * The UI's codec settings as a person sets them in its "Codec Server" dialog (kept in the
 * browser's localStorage): the endpoint, with cross-origin credentials so the session cookie
 * goes along; and the list's columns: both statuses, the summary's search attributes.
 */
function uiSettings(): Record<string, unknown> {
  const column = (label: string, pinned = false) => ({ label, pinned });
  return {
    endpoint: CODEC,
    includeCredentials: true,
    passAccessToken: false,
    overrideRemoteCodecConfiguration: true,
    'namespace-workflow-table-columns': {
      default: [column('Status', true), column('Workflow ID', true), column('Type'), column('BusinessStatus'), column('OrderNumber'), column('CustomerId')],
    },
  };
}

async function signIntoCodecServer(page: Page): Promise<void> {
  await page.goto(CODEC);
  await page.fill('input[name="key"]', STAFF_KEY);
  await page.click('button[type="submit"]');
  await page.getByText('Sign out').waitFor();
  console.log(`[screenshots] signed into the codec server at ${CODEC}`);
}

/** Waits until a frame of the page shows the text (the UI renders summaries and details as Markdown in frames). */
async function inSomeFrame(page: Page, text: string): Promise<void> {
  await until(`"${text}" on the page`, async () => {
    for (const frame of page.frames()) {
      const body = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
      if (body.includes(text)) return true;
    }
    return undefined;
  });
}

async function main(): Promise<void> {
  mkdirSync(DOCS, { recursive: true });
  const order = await placeOrder();
  const connection = await Connection.connect({ address: TEMPORAL });
  const client = new Client({ connection });
  // Run ids for the pages' URLs (no payload is read here), once every process is listed.
  await until('the order, its lines and the subscription in the list', async () => {
    const { count } = await client.workflow.count(`OrderNumber = "${order.number}"`);
    return count >= 4 ? count : undefined;
  });
  const runOf = async (query: string) => {
    for await (const wf of client.workflow.list({ query })) return { workflowId: wf.workflowId, runId: wf.runId };
    throw new Error(`no workflow for ${query}`);
  };
  const orderRun = await runOf(`WorkflowType = "orderWorkflow" AND OrderNumber = "${order.number}"`);
  const openLine = await runOf(`WorkflowType = "orderLineWorkflow" AND OrderNumber = "${order.number}" AND BusinessStatus = "awaiting_validation"`);
  await connection.close();
  const pageOf = (run: { workflowId: string; runId: string }, tab: string) => `${UI}/namespaces/default/workflows/${encodeURIComponent(run.workflowId)}/${run.runId}/${tab}`;

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1000 } });
    // Runs in every page before its scripts: the UI's settings, on the UI's origin only.
    await context.addInitScript({
      content: `if (location.origin === ${JSON.stringify(new URL(UI).origin)}) {
        for (const [key, value] of Object.entries(${JSON.stringify(uiSettings())})) localStorage.setItem(key, JSON.stringify(value));
      }`,
    });
    const page = await context.newPage();
    await signIntoCodecServer(page);

    // 1. The list, filtered by the order number. UI 2.54's list has no summary column (the
    // visibility API returns no user metadata): the rows show both statuses and the search
    // attributes; the summaries head each workflow's page and its parent's timeline.
    await page.setViewportSize({ width: 2100, height: 1000 }); // every column in view
    await page.goto(`${UI}/namespaces/default/workflows?query=${encodeURIComponent(`OrderNumber = "${order.number}"`)}`);
    await page.getByText(orderRun.workflowId).first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    await page.screenshot({ path: path.join(DOCS, 'temporal-ui-list.png'), clip: { x: 0, y: 0, width: 2100, height: 480 } });
    await page.setViewportSize({ width: 1920, height: 1000 });
    console.log('[screenshots] docs/temporal-ui-list.png');

    // 2. The Order workflow's page, tab User Metadata: its summary and current details.
    await page.goto(pageOf(orderRun, 'history'));
    await page.getByText('User Metadata', { exact: true }).first().click();
    await inSomeFrame(page, `Order ${order.number} · 2 lines · Jane Doe`);
    await inSomeFrame(page, 'Next deadline');
    await page.waitForTimeout(1000);
    await page.screenshot({ path: path.join(DOCS, 'temporal-ui-order.png'), clip: { x: 0, y: 0, width: 1920, height: 640 } });
    console.log('[screenshots] docs/temporal-ui-order.png');

    // 3. The line still with its seller, tab Timeline: the ORD-7 timer and each activity by its summary.
    await page.goto(pageOf(openLine, 'timeline'));
    await page.getByText('ORD-7: seller Globex SARL must answer by').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    await page.screenshot({ path: path.join(DOCS, 'temporal-ui-line-timeline.png'), fullPage: true });
    console.log('[screenshots] docs/temporal-ui-line-timeline.png');
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
