/**
 * Runs `pass` every `intervalMs`, never two at once (a pass that runs long skips ticks instead of
 * piling up), skipping ticks while `ready()` says no. `stop()` resolves once a pass under way has
 * ended, so connections can be closed after it. The timer does not keep the process alive.
 */
export function runEvery(intervalMs: number, pass: () => Promise<void>, ready: () => boolean = () => true): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running || !ready()) return;
    running = pass().finally(() => {
      running = null;
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
