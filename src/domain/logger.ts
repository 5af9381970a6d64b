export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /**
   * Runs `work` as one phase of the job (the dump, the upload to one target,
   * a test restore): a collapsible group in the GitHub Actions log. Absent
   * where phases need no frame (a terminal, a log file).
   */
  section?<T>(title: string, work: () => Promise<T>): Promise<T>;
}

/** `work` as a phase of the log, when the log has phases. */
export function inSection<T>(log: Logger, title: string, work: () => Promise<T>): Promise<T> {
  return log.section ? log.section(title, work) : work();
}
