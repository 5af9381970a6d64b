import fs from 'node:fs';

/** Flips 16 bytes in the middle of a file in place, keeping its size: bit rot at rest. */
export function flipBytes(file: string): void {
  const handle = fs.openSync(file, 'r+');
  try {
    const size = fs.fstatSync(handle).size;
    const position = Math.floor(size / 2);
    const bytes = Buffer.alloc(Math.min(16, size));
    fs.readSync(handle, bytes, 0, bytes.length, position);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = bytes[i]! ^ 0xff;
    fs.writeSync(handle, bytes, 0, bytes.length, position);
  } finally {
    fs.closeSync(handle);
  }
}
