import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder in front of an emulator that can stop accepting: while it refuses, nothing listens
 * on its port, so a client's connect fails with ECONNREFUSED and no byte of its request leaves. That
 * is a failure that provably did not reach the provider, unlike a reset or a lost reply.
 */
export interface TcpFront {
  readonly port: number;
  /** Connections the front accepted and forwarded. */
  readonly accepted: number;
  /** Where accepted connections go; may be set after the front started (its port is known first). */
  target: { host: string; port: number } | undefined;
  /** Stops listening and drops every open connection; new connects are refused. */
  refuse(): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpFront(first?: { host: string; port: number }): Promise<TcpFront> {
  let target = first;
  const sockets = new Set<Socket>();
  let accepted = 0;
  let server: Server | undefined;
  let port = 0;

  const listen = async (): Promise<void> => {
    const s = createServer((client) => {
      if (!target) return void client.destroy();
      accepted += 1;
      const upstream = createConnection(target);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    port = address.port;
    server = s;
  };

  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get accepted() {
      return accepted;
    },
    get target() {
      return target;
    },
    set target(t) {
      target = t;
    },
    refuse: stop,
    async accept() {
      if (!server) await listen();
    },
    close: stop,
  };
}
