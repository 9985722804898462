// The benchmark's and crash test's HTTP client: JSON in and out, timing of each call, and retries
// the way a well-behaved API client retries: on a network error or a 5xx (503 while Temporal is
// down), with the same request (checkout carries an Idempotency-Key, so a retry is safe).
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  /** Time of the successful (last) attempt. */
  ms: number;
  /** Attempts that failed with a network error or a 5xx before this answer. */
  retries: number;
}

export class ApiClient {
  /** Every 5xx or network failure seen, for the report. */
  failures = 0;
  /** GETs made by `waitFor` (polling a resource until it is ready). */
  polls = 0;

  constructor(
    readonly baseUrl: string,
    private readonly retryForMs = 180_000,
  ) {}

  async call<T = any>(method: string, path: string, opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const giveUpAt = Date.now() + this.retryForMs;
    for (let retries = 0; ; retries++) {
      const started = performance.now();
      let problem: string;
      try {
        const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(60_000) });
        const text = await res.text();
        const ms = performance.now() - started;
        if (res.status < 500) return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, ms, retries };
        problem = `${res.status} ${text.slice(0, 200)}`;
      } catch (err) {
        problem = (err as Error).message;
      }
      this.failures++;
      if (Date.now() > giveUpAt) throw new Error(`${method} ${path} still failing after ${retries + 1} attempts: ${problem}`);
      await new Promise((r) => setTimeout(r, 250 + Math.random() * 500));
    }
  }

  /** Polls until `check` accepts the answer. */
  async waitFor<T = any>(path: string, key: string, check: (body: T, status: number) => boolean, timeoutMs = 180_000, intervalMs = 100): Promise<ApiResponse<T>> {
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      this.polls++;
      const res = await this.call<T>('GET', path, { key });
      if (check(res.body, res.status)) return res;
      if (Date.now() > giveUpAt) throw new Error(`GET ${path}: still ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/** Runs `task` over `items` with at most `concurrency` at once. */
export async function inParallel<T, R>(items: T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await task(items[i], i);
      }
    }),
  );
  return results;
}
