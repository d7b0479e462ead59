// The global `expect` that @types/jest declares.
const globalExpect = expect
export { globalExpect as expect }
