// Types of third-party-notices.mjs, for the tests that import it.
export interface Notice {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly repository?: string;
  readonly licenseFile?: string;
  readonly text: string | undefined;
  readonly notice: string | undefined;
}
export function packageDirOf(modulePath: string): string | undefined;
export function bundledPackageDirs(stats: unknown): string[];
export function noticesFor(packageDirs: readonly string[], root: string): Promise<Notice[]>;
export function renderNotices(notices: readonly Notice[]): string;
export function writeNotices(statsFile: string, outDir: string, root: string): Promise<Notice[]>;
