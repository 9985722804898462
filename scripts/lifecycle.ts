// How the long-running scripts (start.ts, cluster.ts) run and stop: Ctrl-C or SIGTERM stops
// everything once, in the script's order; a failure to start exits 1.
export function stopOnSignal(name: string, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = async () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[${name}] stopping`);
    await stop();
    process.exit(0);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(`[${name}] failed:`, err);
    process.exit(1);
  });
}
