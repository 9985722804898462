// The file-storage port (KYC-1 documents): bytes in, their SHA-256 out; content-addressed, so the
// same file stored twice is one file, and no workflow payload ever carries the bytes. The
// default writes under the data folder (FILE_STORE_DIR overrides it; tests use a temp folder).
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dataDir } from './config';

export interface FileStore {
  /** Stores the bytes; answers their id (hex SHA-256). */
  put(bytes: Buffer): Promise<string>;
  /** The bytes of a stored file, or null when there is none with that id. */
  get(id: string): Promise<Buffer | null>;
}

export function fileStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FILE_STORE_DIR ?? path.join(dataDir, 'files');
}

export function diskFileStore(root: string = fileStoreDir()): FileStore {
  // Two levels of fan-out keep directories small; the id is hex, so it never escapes the root.
  const where = (id: string) => path.join(root, id.slice(0, 2), id);
  return {
    async put(bytes) {
      const id = createHash('sha256').update(bytes).digest('hex');
      const file = where(id);
      await mkdir(path.dirname(file), { recursive: true });
      // A temp file then a rename: a reader never sees half a file, a crash leaves no torn one.
      const tmp = `${file}.${randomUUID()}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, file);
      return id;
    },
    async get(id) {
      if (!/^[0-9a-f]{64}$/.test(id)) return null;
      try {
        return await readFile(where(id));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
  };
}
