// Runs a Node.js script under Node 24 or newer: with this node when it is new
// enough, otherwise with Node 24 from the npm registry (`npx node@24`), so that
// `npm test` and `npm run db-backup` work on a machine whose node is older.
import { spawn } from 'node:child_process';

const [script, ...args] = process.argv.slice(2);
const major = Number(process.versions.node.split('.')[0]);
const [command, commandArgs] =
  major >= 24
    ? [process.execPath, [script, ...args]]
    : ['npx', ['--yes', 'node@24', script, ...args]];
const child = spawn(command, commandArgs, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
