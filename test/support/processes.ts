import { readdirSync, readFileSync } from 'node:fs'

/** What a test needs of a process, read from Linux's `/proc`. */
export interface ProcessInfo {
  pid: number
  ppid: number
  /** One letter: R running, S sleeping, Z zombie (exited, not yet waited for), … */
  state: string
  /** Its arguments joined by spaces. */
  cmdline: string
}

/** A process's state and parent, or undefined once it is gone (or off Linux). */
export function processStat(pid: number | string): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name, in parentheses, may itself hold spaces and parentheses.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: state!, ppid: Number(ppid) }
  } catch {
    return undefined
  }
}

/** Every process this user can see. */
export function processes(): ProcessInfo[] {
  const list: ProcessInfo[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = processStat(entry)
    if (!stat) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ')
      list.push({ pid: Number(entry), ...stat, cmdline })
    } catch {
      // ended while we looked
    }
  }
  return list
}
