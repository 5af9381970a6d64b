import path from 'node:path';
import { freePort, startChild } from './child-server.js';
import { tempDir } from './tmp.js';

/** Azurite's fixed development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  readonly blobUrl: string;
  readonly connectionString: string;
  stop(): Promise<void>;
}

/**
 * Starts a real Azurite blob service (Microsoft's emulator) in a child
 * process on a free loopback port, with its data in a temporary directory.
 */
export async function startAzurite(): Promise<Azurite> {
  const location = tempDir('azurite');
  const main = path.resolve(
    import.meta.dirname,
    '../../node_modules/azurite/dist/src/blob/main.js',
  );
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      const running = await startChild(
        process.execPath,
        [
          main,
          '--blobHost',
          '127.0.0.1',
          '--blobPort',
          String(port),
          '--location',
          location,
          '--silent',
          '--disableTelemetry',
          // @azure/storage-blob 12.34 speaks API version 2026-10-06, newer than Azurite 3.37 knows.
          '--skipApiVersionCheck',
        ],
        /successfully listens on http/,
      );
      const blobUrl = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
      return {
        blobUrl,
        connectionString:
          `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};` +
          `AccountKey=${AZURITE_KEY};BlobEndpoint=${blobUrl};`,
        stop: () => running.stop(),
      };
    } catch (error) {
      // Another process may have taken the port between freePort and the bind.
      if (attempt >= 3 || !/EADDRINUSE/.test(String(error))) throw error;
    }
  }
}
