/**
 * The compressions a backup can have: what each is called, the suffix it gives
 * a backup's name, and its levels. Pure data; the work is in pipeline/compress.ts.
 */
export const COMPRESSION_ALGORITHMS = ['gzip', 'zstd', 'none'] as const;
export type CompressionAlgorithm = (typeof COMPRESSION_ALGORITHMS)[number];

/** What the manifest records: the algorithm, and the level (null when there is none). */
export interface CompressionSettings {
  readonly algorithm: CompressionAlgorithm;
  readonly level: number | null;
}

/** The suffix after `.sql` / `.db`: what `gunzip`, `zstd -d` and people expect. */
export const COMPRESSION_SUFFIX: Readonly<Record<CompressionAlgorithm, string>> = {
  gzip: '.gz',
  zstd: '.zst',
  none: '',
};

export interface LevelRange {
  readonly min: number;
  readonly max: number;
  /** The level used when none is given: gzip's own default, zstd's own default. */
  readonly default: number;
}

/**
 * zstd stops at 19 as its command-line tool does without --ultra: the levels
 * above it need far more memory to compress for little gain.
 */
export const COMPRESSION_LEVELS: Readonly<Record<'gzip' | 'zstd', LevelRange>> = {
  gzip: { min: 1, max: 9, default: 6 },
  zstd: { min: 1, max: 19, default: 3 },
};

export const DEFAULT_COMPRESSION: CompressionSettings = { algorithm: 'gzip', level: 6 };
