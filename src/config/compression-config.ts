import {
  COMPRESSION_ALGORITHMS,
  COMPRESSION_LEVELS,
  type CompressionSettings,
} from '../domain/compression.js';
import { UserError } from '../domain/errors.js';
import { text, type Settings } from './values.js';

/**
 * `compression` and `compression-level`: the level's range depends on the
 * algorithm, and a level given without one that takes it is a mistake worth
 * saying, not ignoring.
 */
export function compressionSettings(settings: Settings): CompressionSettings {
  const name = (text(settings, 'compression') ?? 'gzip').toLowerCase();
  const algorithm = COMPRESSION_ALGORITHMS.find((known) => known === name);
  if (algorithm === undefined) {
    throw new UserError(`compression must be gzip, zstd or none (got "${name}").`);
  }
  const given = text(settings, 'compression-level');
  if (algorithm === 'none') {
    if (given !== undefined) {
      throw new UserError(
        `compression-level ${given} has no meaning with compression none: remove it, or choose gzip or zstd.`,
      );
    }
    return { algorithm, level: null };
  }
  const range = COMPRESSION_LEVELS[algorithm];
  if (given === undefined) return { algorithm, level: range.default };
  const level = /^\d+$/.test(given) ? Number(given) : Number.NaN;
  if (!(level >= range.min && level <= range.max)) {
    throw new UserError(
      `compression-level for ${algorithm} must be a whole number from ${range.min} (fastest) to ${range.max} (smallest), got "${given}".`,
    );
  }
  return { algorithm, level };
}
