import { spawnSync } from 'node:child_process'
import { realpathSync } from 'node:fs'
import { relative, resolve, sep } from 'node:path'
import { PipetestError } from '../errors.js'

/** What changed in a git working tree since a commit: the files, absolute. */
export interface GitChanges {
  ref: string
  /** The repository's top folder. */
  root: string
  /**
   * Files that differ from `ref` (committed since, staged, unstaged or deleted) and files git
   * does not track and does not ignore (a new script, new sample data).
   */
  files: string[]
}

const GIT_TIMEOUT_MS = 60_000

/**
 * The files changed since `ref` in the repository holding `cwd`: `git diff --name-only REF`
 * (against the working tree, so uncommitted edits count) plus untracked files. Synchronous:
 * planning a test file is. Throws GIT_UNAVAILABLE naming the fix when git is missing, `cwd`
 * is not in a repository, or git does not know `ref`.
 *
 * @example
 *   changedFilesSince('origin/main', process.cwd()).files // ['/repo/scripts/train.py']
 */
export function changedFilesSince(ref: string, cwd: string): GitChanges {
  const top = git(['rev-parse', '--show-toplevel'], cwd)
  if (top.error !== undefined) {
    throw unavailable(
      ref,
      `git cannot be started (${top.error.message})`,
      'Install git, or leave out --changed / PIPETEST_CHANGED to test every node.',
    )
  }
  if (top.status !== 0) {
    throw unavailable(
      ref,
      `${cwd} is not inside a git repository`,
      'Run inside the repository, or leave out --changed / PIPETEST_CHANGED to test every node.',
    )
  }
  const root = realpathSync(top.stdout.trim())
  const known = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], root)
  if (known.status !== 0) {
    throw unavailable(
      ref,
      `git does not know the commit "${ref}" in ${root}`,
      ref.includes('/')
        ? `Fetch it first (e.g. git fetch origin ${ref.split('/').slice(1).join('/')}; in GitHub Actions, actions/checkout needs fetch-depth: 0), or name another branch, tag or commit.`
        : 'Name a branch, tag or commit git knows (git log --oneline shows some), e.g. --changed HEAD~1.',
    )
  }
  const diff = git(['diff', '--name-only', '-z', '--no-renames', ref, '--'], root)
  const untracked = git(['ls-files', '--others', '--exclude-standard', '-z'], root)
  for (const result of [diff, untracked]) {
    if (result.status !== 0) {
      throw unavailable(
        ref,
        `git failed: ${String(result.stderr).trim()}`,
        'Check the repository with git status.',
      )
    }
  }
  const files = [...diff.stdout.split('\0'), ...untracked.stdout.split('\0')]
    .filter((file) => file !== '')
    .map((file) => resolve(root, file))
  return { ref, root, files: [...new Set(files)] }
}

/**
 * The text of `file` (absolute, inside the repository at `root`) as it was at `ref`; undefined
 * when it did not exist there.
 */
export function fileAtRef(ref: string, file: string, root: string): string | undefined {
  const path = relative(root, file).split(sep).join('/')
  const shown = git(['show', `${ref}:${path}`], root)
  return shown.status === 0 ? shown.stdout : undefined
}

function git(args: string[], cwd: string) {
  return spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    timeout: GIT_TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
    windowsHide: true,
    // A user's pager or colour settings must not reach what we parse.
    env: { ...process.env, GIT_PAGER: 'cat', GIT_OPTIONAL_LOCKS: '0' },
  })
}

function unavailable(ref: string, why: string, hint: string): PipetestError {
  return new PipetestError('GIT_UNAVAILABLE', `Cannot tell what changed since "${ref}": ${why}`, {
    field: 'changed',
    hint,
  })
}
