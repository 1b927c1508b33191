/**
 * Runs `work` (e.g. one request to an app listening in this process) and measures the
 * longest time the event loop was blocked meanwhile: what every other request, webhook
 * and in-process worker would have waited.
 *
 * A 1 ms timer ticks during the work; each gap between two ticks counts for the CPU time
 * the process used in it, at most its wall time. CPU time, because the test machine is
 * shared: a gap in which the OS ran other processes is not our code blocking the loop.
 */
export async function longestStall<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number; wallMs: number }> {
  let stallMs = 0;
  let wallMs = 0;
  let lastAt = performance.now();
  let lastCpu = cpuMs();
  let running = true;
  const tick = () => {
    const at = performance.now();
    const cpu = cpuMs();
    wallMs = Math.max(wallMs, at - lastAt);
    stallMs = Math.max(stallMs, Math.min(at - lastAt, cpu - lastCpu));
    lastAt = at;
    lastCpu = cpu;
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  try {
    const value = await work();
    // One more tick, so a block at the very end is counted too.
    await new Promise((r) => setTimeout(r, 5));
    return { value, stallMs, wallMs };
  } finally {
    running = false;
  }
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
