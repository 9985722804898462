// The Express application: JSON in, JSON or problem+json out, every route declared in RouteTable.
import express, { type NextFunction, type Request, type Response } from 'express';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import swaggerUiDist from 'swagger-ui-dist';
import { resolvePrincipal } from './auth';
import type { ApiDeps } from './deps';
import { Problem, sendProblem } from './problem';
import { installRateLimits } from './rate-limit';
import { ResponseContractError, RouteTable } from './route';
import { registerAccountRoutes } from './routes/account';
import { registerCatalogRoutes } from './routes/catalog';
import { registerEmailRoutes } from './routes/emails';
import { linkErrorPages, registerLinkRoutes } from './routes/links';
import { registerOrderRoutes } from './routes/orders';
import { registerSubscriptionRoutes } from './routes/subscriptions';
import { registerUpdateRoutes } from './routes/updates';
import { registerListRoutes } from './routes/lists';
import { registerPayoutAccountRoutes } from './routes/payout-accounts';
import { registerSellerRefundRoutes } from './routes/seller-refunds';
import { registerPartnerRoutes } from './routes/partners';
import { registerPartnershipRoutes } from './routes/partnerships';
import { registerPartnerCustomerRoutes } from './routes/partner-customers';
import { registerAccountClosureRoutes } from './routes/account-closure';
import { registerPayoutRoutes } from './routes/payouts';
import { registerDocumentRoutes } from './routes/documents';
import { registerSupportRoutes } from './routes/support';
import { registerTicketRoutes } from './routes/tickets';
import { registerSellerCaseRoutes } from './routes/seller-cases';
import { registerSellerOfferRoutes } from './routes/seller-offers';
import { registerCustomerVerificationRoutes } from './routes/customer-verifications';
import { registerSellerTermsRoutes } from './routes/seller-terms';
import { documentUpload, registerSellerApplicationRoutes } from './routes/seller-applications';
import { registerTenderRoutes } from './routes/tenders';

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // RFC 9110: an expectation other than 100-continue that the server cannot meet is a 417. Node
  // would answer it bare; api/server.ts has it hand such requests here instead.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const expect = req.header('expect');
    if (expect !== undefined && !/(?:^|\W)100-continue(?:$|\W)/i.test(expect)) {
      throw new Problem(417, 'expectation-failed', 'Expectation failed', `unsupported expectation: ${expect}`, {
        errors: [{ field: 'headers.expect', message: 'only 100-continue is supported' }],
      });
    }
    next();
  });
  app.use(express.json({ limit: '100kb', strict: true }));
  // The pages of e-mailed links post HTML forms (api/routes/links.ts); no other route takes one.
  app.use('/links', express.urlencoded({ extended: false, limit: '10kb', parameterLimit: 20 }));
  // Before every route (the plain ones too): 429 over a limit, or for an address after too many 401s.
  const rateLimits = installRateLimits(app, deps.db, deps.rateLimits);
  app.use(rateLimits.middleware);
  // KYC-1: the one multipart route (documents), parsed with a size limit before the route table.
  app.post('/seller-applications/:applicationId/documents', documentUpload);

  const router = express.Router();
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'API key' });
  const routes = new RouteTable(router, registry, deps.db);
  registerAccountRoutes(routes, deps);
  registerCatalogRoutes(routes, deps);
  registerOrderRoutes(routes, deps);
  registerEmailRoutes(routes, deps);
  registerSubscriptionRoutes(routes, deps);
  registerUpdateRoutes(routes, deps);
  registerLinkRoutes(routes, deps);
  registerListRoutes(routes, deps);
  registerTicketRoutes(routes, deps);
  registerSupportRoutes(routes, deps);
  registerSellerCaseRoutes(routes, deps);
  registerSellerOfferRoutes(routes, deps);
  registerCustomerVerificationRoutes(routes, deps);
  registerSellerTermsRoutes(routes, deps);
  registerSellerApplicationRoutes(routes, deps);
  registerPayoutRoutes(routes, deps);
  registerDocumentRoutes(routes, deps);
  registerPayoutAccountRoutes(routes, deps);
  registerSellerRefundRoutes(routes, deps);
  registerPartnerRoutes(routes, deps);
  registerPartnershipRoutes(routes, deps);
  registerPartnerCustomerRoutes(routes, deps);
  registerTenderRoutes(routes, deps);
  registerAccountClosureRoutes(routes, deps);

  const openapi = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Marketplace back-office API', version: '0.1.0', description: 'Business rules: SPEC.md rule ids in each summary.' },
  });
  // These plain routes are public and outside RouteTable, but a key sent to them is still checked:
  // an unknown or malformed key is 401 on every route, public ones included (X-6, README).
  const refuseBadKey = async (req: Request, _res: Response, next: NextFunction) => {
    const authorization = req.header('authorization');
    if (authorization !== undefined) await resolvePrincipal(deps.db, authorization);
    next();
  };
  app.get('/openapi.json', refuseBadKey, (_req, res) => {
    res.json(openapi);
  });
  app.get('/docs', refuseBadKey, (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  app.use('/docs/assets', refuseBadKey, express.static(swaggerUiDist.getAbsoluteFSPath(), { index: false }));
  app.get('/health', refuseBadKey, (_req, res) => {
    res.json({ status: 'ok' });
  });
  for (const plain of ['/openapi.json', '/docs', '/health']) routes.allowMethod(plain, 'get');
  app.use(router);
  // A browser opening an e-mailed link gets its refusals as readable pages, not problem documents.
  app.use('/links', linkErrorPages);

  app.use((req: Request, res: Response) => {
    // A path that exists with other methods: 405 naming them (RFC 9110), not a 404.
    const allowed = routes.allowedMethods(req.path);
    if (allowed && !allowed.includes(req.method)) {
      res.set('Allow', allowed.join(', '));
      return sendProblem(res, new Problem(405, 'method-not-allowed', 'Method not allowed', `${req.method} is not a method of ${req.path}; it has ${allowed.join(', ')}`), req.path);
    }
    sendProblem(res, Problem.notFound(`no route ${req.method} ${req.path}`), req.path);
  });
  // Express 5 forwards errors of async handlers here; nothing escapes as an HTML 500.
  app.use(async (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof Problem) {
      if (err.status === 401) await rateLimits.recordAuthFailure(req); // never throws
      return sendProblem(res, err, req.path);
    }
    const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
    const type = (err as { type?: string }).type;
    if (err instanceof ResponseContractError) {
      console.error(`[api] ${req.method} ${req.path}: response contract broken: ${err.message}`);
      return sendProblem(res, new Problem(500, 'response-contract', 'Internal error', 'the answer did not match its documented schema; this is our defect and it was logged'), req.path);
    }
    if (err instanceof URIError) {
      return sendProblem(res, Problem.badRequest(routes.undecodableParams(req.path)), req.path);
    }
    if (type === 'entity.parse.failed') {
      return sendProblem(res, Problem.badRequest([{ field: 'body', message: 'malformed JSON' }]), req.path);
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendProblem(res, new Problem(status, 'invalid-request', 'Invalid request', (err as Error).message, { errors: [{ field: 'body', message: (err as Error).message }] }), req.path);
    }
    console.error(`[api] ${req.method} ${req.path}:`, err);
    return sendProblem(res, new Problem(503, 'unavailable', 'Service unavailable', 'the request could not be completed; retry later'), req.path);
  });
  return app;
}

const DOCS_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Marketplace API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script>
</body></html>`;
