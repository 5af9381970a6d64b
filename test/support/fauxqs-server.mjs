// Runs fauxqs (an S3 emulator) in its own process: node fauxqs-server.mjs <s3-storage-dir> [bucket...]
// Prints one JSON line with the port once it listens. Objects are files under the storage dir.
import { startFauxqs } from 'fauxqs';

const [storageDir, ...buckets] = process.argv.slice(2);
const server = await startFauxqs({
  port: 0,
  logger: false,
  s3StorageDir: storageDir,
  init: { buckets },
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.on('SIGTERM', () => {
  void server.stop().finally(() => process.exit(0));
});
