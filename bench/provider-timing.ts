import type { AdapterProvider, ConnectionRegistry, ProviderAdapters } from '../activities';

/**
 * The provider calls' own time, as the activities see it: every adapter method a worker calls
 * through this registry is timed from the call to its settled promise (the gRPC or HTTP round trip
 * to the emulator, nothing of Temporal). Operations run one at a time, so `take()` after one gives
 * that operation's provider time.
 */
export class ProviderTimer {
  private ms = 0;
  private count = 0;
  private readonly wrapped = new WeakMap<object, object>();

  /** The time and number of calls since the last take(), and a fresh start. */
  take(): { ms: number; calls: number } {
    const out = { ms: this.ms, calls: this.count };
    this.ms = 0;
    this.count = 0;
    return out;
  }

  wrap(registry: ConnectionRegistry): ConnectionRegistry {
    return {
      names: (provider) => registry.names(provider),
      get: <P extends AdapterProvider>(provider: P, connection: string) => {
        const adapter = registry.get(provider, connection);
        return adapter && (this.timed(adapter) as ProviderAdapters[P]);
      },
    };
  }

  private timed(adapter: object): object {
    const known = this.wrapped.get(adapter);
    if (known) return known;
    const proxy = new Proxy(adapter, {
      get: (target, key, receiver) => {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const started = performance.now();
          const out: unknown = Reflect.apply(value, target, args);
          if (!(out instanceof Promise)) return out;
          const settle = () => {
            this.ms += performance.now() - started;
            this.count++;
          };
          return out.finally(settle);
        };
      },
    });
    this.wrapped.set(adapter, proxy);
    return proxy;
  }
}
