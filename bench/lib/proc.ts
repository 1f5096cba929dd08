// What /proc tells about a benchmarked process: memory, and CPU for the whole process or per
// thread (Linux only, as is the bench).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcMemory {
  /** VmRSS: resident now. */
  readonly rss: number;
  /** VmHWM: peak resident so far. */
  readonly peakRss: number;
}

export function procMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  };
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
}

/** utime + stime from a `stat` file's text, in seconds. */
function statSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** utime + stime of a process and its threads, in seconds (undefined when unreadable). */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return statSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** utime + stime per live thread, keyed `name#tid`, in seconds. */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      out.set(`${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}#${tid}`, statSeconds(stat));
    } catch {
      // the thread ended between listing and reading
    }
  }
  return out;
}
