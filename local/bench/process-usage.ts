// CPU time and resident memory of another process on this machine, from Linux's /proc: what the bench reads of
// the split stack's handler processes, which process.cpuUsage() and process.memoryUsage() do not see.
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

export interface ProcessUsage {
  cpuMs: number;
  rssBytes: number;
}

/** The process's CPU so far (user + system) and its resident memory now; undefined once it has gone. */
export function processUsage(pid: number): ProcessUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: the fields after it start past its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const residentPages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssBytes: residentPages * PAGE_BYTES };
  } catch {
    return undefined;
  }
}
