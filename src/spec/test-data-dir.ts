/**
 * The test data folder (holding `.specs/` and `.pipetest/`) relative to the project root, as
 * in cursus, when none is given. Apart from the schemas: the command line's help shows it
 * before anything has to load zod.
 */
export const DEFAULT_TEST_DATA_DIR = 'test/integration/runtime'
