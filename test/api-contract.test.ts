// the API keeps the contract /openapi.json states. Every answer of every suite is checked
// against the document (test/support/openapi-check.ts, in http() and sendRaw()); this file tests
// the rules of the contract itself: every success documented with its schema, 405 with Allow,
// unknown query parameters refused, a body outside its schema never sent, no internal field shown.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { describe, expect, it } from 'vitest';
import { DEMO, DEMO_KEYS } from '../prisma/demo-data';
import { allow } from '../api/auth';
import { Problem, sendProblem } from '../api/problem';
import { ResponseContractError, RouteTable } from '../api/route';
import { z } from '../api/zod';
import { useTestSystem } from './support/environments';
import { http } from './support/http';
import { linesAwaitingValidation, placeOrder, signIn, waitForLineStatus } from './support/orders';
import type { TestSystem } from './support/system';

let sys: TestSystem;
useTestSystem('dev-server', (_e, s) => {
  sys = s;
});

describe('the API contract (X-5)', () => {
  it('X-5: every operation documents its success answer: a JSON schema, or the content type of a file or page', async () => {
    const doc = (await http(sys.apiUrl, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>> };
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const successes = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
        if (successes.length === 0) missing.push(`${method} ${path}: no 2xx`);
        for (const [status, r] of successes) {
          const types = Object.entries(r.content ?? {});
          if (types.length === 0 || types.some(([, c]) => c.schema === undefined)) missing.push(`${method} ${path} ${status}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(doc.paths['/invoices/{invoiceId}/pdf'].get.responses['200'].content!)).toEqual(['application/pdf']);
    expect(Object.keys(doc.paths['/auth/sign-in'].get.responses['200'].content!)).toEqual(['text/html']);
  });

  it('X-5: a method a path does not have answers 405 with Allow; a path no route has answers 404', async () => {
    for (const [method, path, allowed] of [
      ['PUT', '/checkout', 'POST'],
      ['POST', '/offers', 'GET, HEAD'],
      ['DELETE', `/orders/ord_nope`, 'GET, HEAD'],
      ['PATCH', '/subscriptions/lin_nope_1', 'GET, HEAD'],
      ['GET', '/orders/ord_nope/lines/lin_nope_1/accept', 'POST'],
      ['POST', '/health', 'GET, HEAD'],
    ] as const) {
      const res = await fetch(`${sys.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${DEMO_KEYS.admin}` } });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allowed);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toContain(allowed);
    }
    const unknown = await fetch(`${sys.apiUrl}/orders/ord_nope/lines`, { method: 'GET' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('allow')).toBeNull();
  });

  it('X-5: an unknown query parameter is refused like an unknown body field, naming it', async () => {
    const none = await http(sys.apiUrl, 'GET', '/offers?sort=price');
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([{ field: 'query.sort', message: 'unknown field' }]);
    const extra = await http(sys.apiUrl, 'GET', '/mailbox?to=a@example.test&from=b', { key: DEMO_KEYS.support });
    expect(extra.status).toBe(400);
    expect(extra.body.errors).toEqual([{ field: 'query.from', message: 'unknown field' }]);
    expect((await http(sys.apiUrl, 'GET', '/offers')).status).toBe(200);
    expect((await http(sys.apiUrl, 'GET', '/mailbox?to=a@example.test', { key: DEMO_KEYS.support })).status).toBe(200);
  });

  it('X-5: a handler whose answer leaves its documented schema is a logged 500, and what it held is never sent', async () => {
    const app = express();
    const router = express.Router();
    const table = new RouteTable(router, new OpenAPIRegistry(), sys.db);
    table.add({
      method: 'get',
      path: '/broken',
      tag: 'test',
      summary: 'answers a number where its schema says a string',
      allow: allow.anyone,
      responses: { 200: { description: 'x', schema: z.object({ name: z.string() }) } },
      handler: async () => ({ status: 200, body: { name: 42, secret: 's3cr3t' } }),
    });
    table.add({
      method: 'get',
      path: '/extra',
      tag: 'test',
      summary: 'answers a field its schema does not list',
      allow: allow.anyone,
      responses: { 200: { description: 'x', schema: z.object({ name: z.string() }) } },
      handler: async () => ({ status: 200, body: { name: 'ok', internal: 'not for callers' } }),
    });
    table.add({
      method: 'get',
      path: '/undeclared',
      tag: 'test',
      summary: 'answers a status it does not declare',
      allow: allow.anyone,
      responses: { 200: { description: 'x', schema: z.object({}) } },
      handler: async () => ({ status: 201, body: {} }),
    });
    app.use(router);
    const seen: string[] = [];
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      if (err instanceof ResponseContractError) seen.push(err.message);
      sendProblem(res, err instanceof Problem ? err : new Problem(500, 'response-contract', 'Internal error'));
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const broken = await fetch(`${base}/broken`);
      expect(broken.status).toBe(500);
      expect(await broken.text()).not.toContain('s3cr3t');
      const extra = await fetch(`${base}/extra`);
      expect(extra.status).toBe(200);
      expect(await extra.json()).toEqual({ name: 'ok' });
      expect((await fetch(`${base}/undeclared`)).status).toBe(500);
      expect(seen).toHaveLength(2);
      expect(seen[0]).toContain('GET /broken answered 200 with a body outside its schema: name');
      expect(seen[1]).toContain('a status it does not declare');
    } finally {
      await new Promise((r) => server.close(r));
    }
    // A route cannot be declared without saying what it answers.
    expect(() =>
      table.add({ method: 'get', path: '/vague', tag: 'test', summary: 'x', allow: allow.anyone, responses: { 200: { description: 'something' } }, handler: async () => ({ status: 200, body: {} }) }),
    ).toThrow(/declares neither a schema nor a content type/);
  });

  it('X-5, ACC-2: a customer reads its line and subscription without workflow bookkeeping (run, historyLength, source)', async () => {
    const order = await placeOrder(sys.apiUrl, { offers: [DEMO.offers.acmeMail.id] });
    await linesAwaitingValidation(sys.db, order);
    const line = order.lines[0];
    const accepted = await http(sys.apiUrl, 'POST', `/orders/${order.orderId}/lines/${line.lineId}/accept`, { key: DEMO_KEYS.sellerAcme, body: { accessInstructions: 'IMAP: mail.acme.test' } });
    expect(accepted.status).toBe(200);
    await waitForLineStatus(sys.db, line.lineId, 'active');
    const { apiKey } = await signIn(sys.apiUrl, order.email);

    const lineRes = await http(sys.apiUrl, 'GET', `/orders/${order.orderId}/lines/${line.lineId}`, { key: apiKey });
    expect(lineRes.status).toBe(200);
    expect(lineRes.body.status).toBe('active');
    expect(lineRes.body).not.toHaveProperty('source');
    expect(lineRes.headers.get('x-state-source')).toBe('workflow');

    let sub = await http(sys.apiUrl, 'GET', `/subscriptions/${line.lineId}`, { key: apiKey });
    for (let i = 0; sub.status === 404 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      sub = await http(sys.apiUrl, 'GET', `/subscriptions/${line.lineId}`, { key: apiKey });
    }
    expect(sub.status).toBe(200);
    expect(sub.body.status).toBe('active');
    for (const internal of ['run', 'historyLength', 'source']) expect(sub.body).not.toHaveProperty(internal);
    expect(sub.headers.get('x-state-source')).toBe('workflow');
  });
});
