export {
  contractRoles,
  emptyContract,
  type ContractGap,
  type ContractImport,
  type ContractKey,
  type ContractRole,
  type ContractSource,
  type CursusContract,
  type FrameworkRequirement,
  type MainDeclaration,
  type MainParameter,
  type ScriptContract,
} from './script-contract.js'
export {
  cursusDisagreements,
  findCursusContract,
  satisfiesSpecifier,
  type ContractDisagreement,
} from './cursus-contract.js'
export {
  CONTRACT_CALL,
  CONTRACT_PARAMETERS,
  mainSignatureProblems,
  showSignature,
} from './main-signature.js'
export {
  commandContract,
  readContracts,
  type ContractTarget,
  type ReadContractsOptions,
} from './read-contracts.js'
export { readPythonContracts, readPythonContractsSync } from './python-contracts.js'
export { nodeLocalModules } from './node-imports.js'
