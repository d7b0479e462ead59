/** The report's file name, and the folder `--report` writes it to when given none. */
export const REPORT_FILE = 'pipetest-report.html'
export const DEFAULT_REPORT_DIR = 'reports'
