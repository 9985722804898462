// every answer the tests receive is checked against the API's own /openapi.json: its status
// is documented for that operation (or is an error, documented by `default`), its content type is
// the documented one, and a JSON body validates against the documented JSON Schema (Ajv, draft
// 2020-12, the dialect of OpenAPI 3.1). The API parses its bodies through the same zod schemas;
// this check reads the document a client reads, so a schema that converts wrongly fails too.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

interface Documented {
  /** `/orders/{orderId}` as a pattern over the request path. */
  pattern: RegExp;
  template: string;
  methods: Record<string, Operation>;
}

interface Checker {
  operations: Documented[];
  ajv: Ajv2020;
  compiled: Map<string, ValidateFunction>;
}

const checkers = new Map<string, Promise<Checker>>();

async function checkerFor(baseUrl: string): Promise<Checker> {
  let found = checkers.get(baseUrl);
  if (!found) {
    found = (async () => {
      const res = await fetch(`${baseUrl}/openapi.json`);
      const doc = (await res.json()) as { paths: Record<string, Record<string, Operation>> };
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(ajv);
      ajv.addSchema(doc, 'openapi.json');
      const operations = Object.entries(doc.paths).map(([template, methods]) => ({
        template,
        // A parameter is one non-empty path segment, as Express matches it.
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        methods,
      }));
      return { operations, ajv, compiled: new Map() };
    })();
    checkers.set(baseUrl, found);
  }
  return found;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Throws when an answer is not what /openapi.json says. Paths the document does not have (the
 * plain routes, unknown routes) and answers without a body (HEAD) are left alone.
 */
export async function expectDocumented(baseUrl: string, method: string, path: string, res: { status: number; contentType: string; body: unknown }): Promise<void> {
  if (method.toUpperCase() === 'HEAD' || res.status === 304) return;
  const { operations, ajv, compiled } = await checkerFor(baseUrl);
  const requestPath = path.split('?')[0];
  const op = operations.find((o) => o.pattern.test(requestPath) && o.methods[method.toLowerCase()]);
  if (!op) return;
  const operation = op.methods[method.toLowerCase()];
  const shown = `${method} ${path} → ${res.status} (documented as ${method.toUpperCase()} ${op.template})`;
  const statusKey = operation.responses[String(res.status)] ? String(res.status) : res.status >= 400 ? 'default' : undefined;
  if (!statusKey) throw new Error(`X-5: ${shown}: status not in /openapi.json (documented: ${Object.keys(operation.responses).join(', ')})`);
  const content = operation.responses[statusKey].content ?? {};
  const mediaType = res.contentType.split(';')[0].trim();
  const documentedType = Object.keys(content).find((t) => t === mediaType);
  if (!documentedType) {
    if (Object.keys(content).length === 0) return;
    throw new Error(`X-5: ${shown}: content type ${mediaType || '(none)'} is not documented (${Object.keys(content).join(', ')})`);
  }
  if (!/json$/.test(documentedType) || content[documentedType].schema === undefined) return;
  const ref = `openapi.json#/${pointer('paths', op.template, method.toLowerCase(), 'responses', statusKey, 'content', documentedType, 'schema')}`;
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  if (!validate(res.body)) {
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(body)'} ${e.message}`);
    throw new Error(`X-5: ${shown}: body does not match its documented schema: ${errors.join('; ')}\n${JSON.stringify(res.body).slice(0, 500)}`);
  }
}
