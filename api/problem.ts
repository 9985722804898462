// RFC 9457 problem details: every error the API returns is application/problem+json and
// names the offending field where there is one.
import type { Response } from 'express';

export interface FieldError {
  field: string;
  message: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }

  static badRequest(errors: FieldError[], title = 'Invalid request'): Problem {
    return new Problem(400, 'invalid-request', title, errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
  static unauthorized(detail: string): Problem {
    return new Problem(401, 'unauthorized', 'Unauthorized', detail);
  }
  static forbidden(detail: string): Problem {
    return new Problem(403, 'forbidden', 'Forbidden', detail);
  }
  static notFound(detail: string): Problem {
    return new Problem(404, 'not-found', 'Not found', detail);
  }
  static conflict(detail: string, extra: Record<string, unknown> = {}): Problem {
    return new Problem(409, 'conflict', 'Conflict', detail, extra);
  }
  static unprocessable(slug: string, title: string, detail: string, extra: Record<string, unknown> = {}): Problem {
    return new Problem(422, slug, title, detail, extra);
  }
  /** A rate limit (api/rate-limit.ts); the sender sets Retry-After. */
  static tooManyRequests(detail: string, errors: FieldError[]): Problem {
    return new Problem(429, 'too-many-requests', 'Too many requests', detail, { errors });
  }

  body(instance?: string): Record<string, unknown> {
    return {
      type: `https://marketplace.local/problems/${this.slug}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extra,
    };
  }
}

export function sendProblem(res: Response, problem: Problem, instance?: string): void {
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.body(instance)));
}
