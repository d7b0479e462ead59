import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Gives a generated project a `node_modules` like a user's after `npm install pipetest
 * @pipetest/vitest @pipetest/jest`: the three packages are COPIED there (their package.json
 * and published `files`, i.e. the built dist/), every other dependency is linked to the
 * repository's. Copies matter: Vitest runs code whose real path is outside node_modules
 * through its transform pipeline, so linked workspace packages would be charged a cost no
 * installed package pays.
 */
const OWN_PACKAGES = {
  pipetest: '.',
  '@pipetest/vitest': 'packages/vitest',
  '@pipetest/jest': 'packages/jest',
}

export function installBuiltPackages(projectRoot, repoRoot) {
  const source = join(repoRoot, 'node_modules')
  const target = join(projectRoot, 'node_modules')
  mkdirSync(target, { recursive: true })
  for (const entry of readdirSync(source)) {
    if (entry === 'pipetest' || entry.startsWith('.')) continue
    if (entry.startsWith('@')) {
      mkdirSync(join(target, entry), { recursive: true })
      for (const name of readdirSync(join(source, entry))) {
        if (!(`${entry}/${name}` in OWN_PACKAGES)) {
          symlinkSync(join(source, entry, name), join(target, entry, name))
        }
      }
    } else {
      symlinkSync(join(source, entry), join(target, entry))
    }
  }
  for (const [name, folder] of Object.entries(OWN_PACKAGES)) {
    const from = join(repoRoot, folder)
    const to = join(target, name)
    mkdirSync(to, { recursive: true })
    cpSync(join(from, 'package.json'), join(to, 'package.json'))
    const { files = [] } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'))
    for (const file of files) cpSync(join(from, file), join(to, file), { recursive: true })
  }
}
