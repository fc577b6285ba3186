// How mmap(2) and the ELF loader map an open file: regular files (tmpfs, host files
// through the gofer, overlay layers) go through their page set, so mappings and file
// I/O see one copy of the contents; other files (devices) keep their own readAt.
import { RegularFileDescription, type FileDescription, type MappingSource } from '../vfs/file.js';
import type { FileSource } from './mm.js';

export function fileSourceOf(file: FileDescription, mapping: MappingSource): FileSource | undefined {
  const data = file.dataFile();
  if (!(data instanceof RegularFileDescription)) return undefined;
  return { owner: data.dataInode(), version: mapping.cacheKey, store: data };
}
