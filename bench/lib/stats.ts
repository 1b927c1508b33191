import fs from 'node:fs';
import os from 'node:os';

/** The q-quantile of an ascending array (NaN when empty). */
export const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; NaN elsewhere). */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100)
  } catch {
    return NaN;
  }
}

/** "2 CPU × AMD EPYC …, Node v20…, load average 1.2": the machine a figure was measured on. */
export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus.length} CPU × ${cpus[0]?.model.trim() ?? '?'}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`;
}
