// The API's HTTP server. Node answers some requests itself, before Express sees them, with an
// empty body: an `Expect` other than 100-continue (417), and a request it cannot parse (400, e.g.
// raw non-ASCII bytes in the path; 431 when the request line and headers exceed 16 KB). X-5 wants
// problem+json naming the field for every 4xx, so this server hands the first to the app (which
// answers the 417 itself) and answers the others as problems. Every entry point listens here.
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type express from 'express';
import { Problem } from './problem';

export function listenApi(app: express.Express, port: number, host?: string): Promise<Server> {
  const server = createServer(app);
  server.on('checkExpectation', app);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason, field, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'headers', 'the request line and headers exceed 16 KB']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'body', 'the request was not received in time']
          : [400, 'Bad Request', err.code === 'HPE_INVALID_URL' ? 'params' : 'headers', `not a valid HTTP request (${err.code ?? err.message}): percent-encode the path, send visible ASCII in headers`];
    const body = JSON.stringify(new Problem(status, 'invalid-request', reason, message, { errors: [{ field, message }] }).body());
    // The answer to a HEAD has no body (the method was parsed before the part at fault).
    const head = (err as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
