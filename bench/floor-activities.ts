/**
 * The floor workflows' only activity: returns its input and does nothing else. Named with the
 * `yandex` prefix and given a `connection`, so the worker's provider-call telemetry interceptor
 * (worker/telemetry-interceptor.ts) does for it what it does for a Yandex call (connection lookup,
 * latency histogram, log fields) instead of passing it through as an engine activity.
 */
export const floorActivities = {
  async yandexBenchNoop(input: { connection: string; n: number }): Promise<{ n: number }> {
    return { n: input.n };
  },
};
