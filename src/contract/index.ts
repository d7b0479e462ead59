export {
  contractRoles,
  isLiteral,
  type ContractKey,
  type ContractRole,
  type MainDeclaration,
  type ScriptContract,
} from './script-contract.js'
export { cursusDisagreements, findCursusContract, satisfiesSpecifier } from './cursus-contract.js'
export { CONTRACT_CALL, mainSignatureProblems, showSignature } from './main-signature.js'
export { commandContract, readContracts, type ReadContractsOptions } from './read-contracts.js'
export { readPythonContracts, readPythonContractsSync } from './python-contracts.js'
export { nodeLocalModules } from './node-imports.js'
