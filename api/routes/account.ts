// Routes of access to an account: a sign-in link e-mailed to the address, exchanged once
// for a key; the caller's keys listed, revoked and rotated. Anonymous answers never tell whether
// an address has an account.
import { exchangeSignIn, listKeys, requestSignIn, revokeKey, rotateKey, SIGN_IN_LINK_MINUTES } from '../accounts';
import { allow } from '../auth';
import type { ApiDeps } from '../deps';
import type { RouteTable } from '../route';
import { z } from '../zod';

const token = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'the token of a sign-in link');
const issuedKey = z
  .object({ customerId: z.string().optional(), sellerId: z.string().optional().describe('KYC-1: the link e-mailed on a seller approval gives a seller key'), apiKey: z.string(), keyId: z.string(), expiresAt: z.string() })
  .openapi('IssuedKey');
const keyView = z.object({ keyId: z.string(), createdAt: z.string(), expiresAt: z.string().nullable(), revokedAt: z.string().nullable(), current: z.boolean() });

export function registerAccountRoutes(routes: RouteTable, deps: ApiDeps): void {
  routes.add({
    method: 'post',
    path: '/auth/sign-in',
    tag: 'account',
    summary: `Ask for a sign-in link by e-mail (X-8): valid ${SIGN_IN_LINK_MINUTES} minutes, single use; the same answer whether or not the address has an account`,
    allow: allow.anyone,
    body: z.object({ email: z.email().max(254) }).strict(),
    responses: { 202: { description: 'If the address has an account, a link is on its way', schema: z.object({ status: z.literal('sent_if_registered'), message: z.string() }) } },
    handler: async ({ body }) => {
      // Answered before the work is done: the time to answer tells nothing of whether the address
      // has an account. A failure is logged and leaves nothing behind (api/accounts.ts).
      void requestSignIn(deps, body.email).catch((err: unknown) => console.error('[api] sign-in e-mail not handed over:', err));
      return {
        status: 202,
        body: { status: 'sent_if_registered', message: `if ${body.email} has an account, a sign-in link valid ${SIGN_IN_LINK_MINUTES} minutes was e-mailed to it` },
      };
    },
  });

  routes.add({
    method: 'post',
    path: '/auth/sign-in/exchange',
    tag: 'account',
    summary: "Exchange a sign-in link's token, once, for a customer API key (X-8; the account becomes verified), or a seller key for the link of a seller's approval (KYC-1)",
    allow: allow.anyone,
    body: z.object({ token }).strict(),
    responses: { 201: { description: 'The new key, shown this once', schema: issuedKey }, 401: { description: 'Unknown, used or expired link' } },
    handler: async ({ body }) => ({ status: 201, body: await exchangeSignIn(deps, body.token) }),
  });

  routes.add({
    method: 'get',
    path: '/auth/sign-in',
    tag: 'account',
    summary: 'The page a sign-in link opens: a button exchanges the token (a GET alone never does, so mail scanners that open links use nothing up)',
    allow: allow.anyone,
    query: z.object({ token }).strict(),
    responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
    handler: async () => ({ status: 200, body: Buffer.from(SIGN_IN_PAGE), contentType: 'text/html; charset=utf-8', headers: { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } }),
  });

  routes.add({
    method: 'get',
    path: '/me/keys',
    tag: 'account',
    summary: "The caller's API keys (ids, dates, revoked or not; never the keys)",
    allow: allow.authenticated,
    responses: { 200: { description: 'Keys, newest first', schema: z.array(keyView) } },
    handler: async ({ principal }) => ({ status: 200, body: await listKeys(deps, principal) }),
  });

  routes.add({
    method: 'post',
    path: '/me/keys/:keyId/revoke',
    tag: 'account',
    summary: 'Revoke one of your keys (at once in this API process, within 5 seconds in the others)',
    allow: allow.authenticated,
    params: z.object({ keyId: z.string().regex(/^key_[A-Za-z0-9]{1,64}$/, 'a key_… id') }),
    body: z.object({}).strict(),
    responses: { 200: { description: 'Revoked', schema: z.object({ keyId: z.string(), revokedAt: z.string() }) } },
    handler: async ({ principal, params }) => ({ status: 200, body: await revokeKey(deps, principal, params.keyId) }),
  });

  routes.add({
    method: 'post',
    path: '/me/keys/rotate',
    tag: 'account',
    summary: 'A customer gets a new key; the key used for this call is revoked',
    allow: allow.customer,
    body: z.object({}).strict(),
    responses: { 201: { description: 'The new key, shown this once', schema: issuedKey.extend({ revokedKeyId: z.string() }) } },
    handler: async ({ principal }) => ({ status: 201, body: await rotateKey(deps, principal) }),
  });
}

// The token travels in the page's URL only: the script posts it, shows the key, and clears the URL.
const SIGN_IN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · Marketplace</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}code{word-break:break-all;background:#f3f3f3;padding:.2rem}</style></head>
<body><h1>Sign in to the marketplace</h1>
<p id="intro">This link signs you in once. Press the button to get your API key.</p>
<button id="go">Sign in</button>
<div id="result" role="status"></div>
<script>
const token = new URLSearchParams(location.search).get('token');
history.replaceState(null, '', location.pathname);
document.getElementById('go').addEventListener('click', async () => {
  const res = await fetch('/auth/sign-in/exchange', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  const body = await res.json();
  const out = document.getElementById('result');
  document.getElementById('go').remove();
  if (res.ok) {
    out.innerHTML = '<p>You are signed in. Your API key (shown once; keep it secret):</p><p><code id="key"></code></p><p>It expires on <span id="exp"></span>.</p>';
    document.getElementById('key').textContent = body.apiKey;
    document.getElementById('exp').textContent = new Date(body.expiresAt).toLocaleString();
  } else {
    out.innerHTML = '<p>This link cannot be used: <span id="why"></span></p>';
    document.getElementById('why').textContent = body.detail || body.title;
  }
});
</script></body></html>`;
