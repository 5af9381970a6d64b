/** Kept equal to package.json's version (a test checks it). */
export const TOOL_NAME = 'db-backup-action';
export const TOOL_VERSION = '0.1.0';
