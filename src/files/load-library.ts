import { runInThisContext } from 'node:vm'

/**
 * Loads a library used now and then (the data readers' parsers, the cache's glob matcher) on
 * first use, also where Jest's module registry refuses it. Our build
 * is CommonJS (what Jest's default runtime loads) and keeps `import()`, which Jest's sandbox
 * refuses without `--experimental-vm-modules`; its registry's `require()` refuses an ES module
 * such as hyparquet ("Must use import to load ES Module"), and any file between two tests
 * ("outside of the scope of the test code") — where a shared execution's outputs are often
 * read. Node's own `require` can do all of it (require(esm), Node ≥ 20.19, which pipetest needs
 * anyway): it is taken from the real `process` of Node's main context, which
 * `vm.runInThisContext` evaluates in. These libraries read files and compute, so nothing Jest
 * mocks or isolates is bypassed; their values come from that context (hence realm-safe checks
 * such as `isDate` in data/values.ts).
 */
export async function loadLibrary<T>(load: () => Promise<T>, name: string): Promise<T> {
  try {
    return await load()
  } catch (error) {
    const mainProcess = runInThisContext('process') as NodeJS.Process
    // Undefined before Node 20.16 (this path is for Jest, which pipetest supports on ≥ 20.19).
    const nodeModule = mainProcess.getBuiltinModule?.('node:module')
    if (nodeModule === undefined || mainProcess === process) throw error
    return nodeModule.createRequire(import.meta.url)(name) as T
  }
}
