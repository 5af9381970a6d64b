// Runs a Node.js script under Node 24 or newer: with this node when it is new
// enough, otherwise with Node 24 from the npm registry (`npx node@24`), so that
// `npm test` and `npm run db-backup` work on a machine whose node is older.
// With --in-caller-dir the script runs where `npm run` was typed (INIT_CWD),
// not in the package root npm moves to, so relative paths mean what they say.
import { spawn } from 'node:child_process';
import path from 'node:path';

const argv = process.argv.slice(2);
const inCallerDir = argv[0] === '--in-caller-dir';
const [scriptArgument, ...args] = inCallerDir ? argv.slice(1) : argv;
const script = path.resolve(scriptArgument);
const major = Number(process.versions.node.split('.')[0]);
const [command, commandArgs] =
  major >= 24
    ? [process.execPath, [script, ...args]]
    : ['npx', ['--yes', 'node@24', script, ...args]];
const cwd = inCallerDir ? (process.env.INIT_CWD ?? process.cwd()) : process.cwd();
const child = spawn(command, commandArgs, { stdio: 'inherit', cwd });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
