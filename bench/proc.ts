import { readFileSync } from 'node:fs';

/** Busy CPU time of the whole machine so far (all CPUs; /proc/stat, USER_HZ = 100), in seconds. */
export function machineCpuS(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** CPU time (utime + stime, USER_HZ = 100; stime alone as `sysS`) and resident memory of a process so far. */
export function procStat(pid: number): { cpuS: number; sysS: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return {
    cpuS: (Number(fields[11]) + Number(fields[12])) / 100,
    sysS: Number(fields[12]) / 100,
    rssMiB: rssKiB / 1024,
  };
}
