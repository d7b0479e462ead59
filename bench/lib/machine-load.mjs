import { readFileSync } from 'node:fs'

/**
 * How much of the machine other processes took while a measure ran: the CPU time the
 * kernel counted as busy (steal included: time the hypervisor gave to other guests) minus
 * the CPU time of this process and of every child it has reaped (pipetest's scripts, the
 * test frameworks and their workers), as a share of all CPU time that elapsed. Unlike the
 * load average, it does not count the bench's own work. Linux only; null elsewhere.
 */
export function cpuSnapshot() {
  try {
    const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = readFileSync(
      '/proc/stat',
      'utf8',
    )
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number)
    // Fields after the command name, which is in parentheses and may hold spaces.
    const self = readFileSync('/proc/self/stat', 'utf8')
    const fields = self
      .slice(self.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number)
    // utime, stime, cutime, cstime are fields 14–17 of the file, 12–15 after the name.
    const ours = fields[11] + fields[12] + fields[13] + fields[14]
    const busy = user + nice + system + irq + softirq + steal
    return { busy, total: busy + idle + iowait, ours }
  } catch {
    return null
  }
}

/** Share (0–1) of the CPU time between two snapshots used by other processes, or null. */
export function othersShare(before, after) {
  if (!before || !after || after.total === before.total) return null
  const others = after.busy - before.busy - (after.ours - before.ours)
  return Math.max(0, others / (after.total - before.total))
}
