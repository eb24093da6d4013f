import { mixSeed } from '../../shared/rng.ts';
import type { FileKind } from '../data/files.ts';

/** Chunk size of streamed bodies: large bodies are generated piece by piece, never held whole. */
const CHUNK = 64 * 1024;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** Leading and trailing bytes that make each kind recognisable by its magic number. */
function frame(kind: FileKind, size: number): { head: Buffer; tail: Buffer } {
  switch (kind) {
    case 'pdf':
      return {
        head: Buffer.from(
          `%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length ${size} /Filter /FlateDecode >>\nstream\n`,
          'latin1',
        ),
        tail: Buffer.from('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1'),
      };
    case 'png': {
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(1600, 0);
      ihdr.writeUInt32BE(1200, 4);
      ihdr.set([8, 2, 0, 0, 0], 8);
      return {
        head: Buffer.concat([
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
          pngChunk('IHDR', ihdr),
        ]),
        tail: pngChunk('IEND', Buffer.alloc(0)),
      };
    }
    case 'jpeg':
      return {
        head: Buffer.from([
          0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
          0x00, 0x01, 0x00, 0x00,
        ]),
        tail: Buffer.from([0xff, 0xd9]),
      };
  }
}

/**
 * The body of a file, streamed in 64 KiB chunks: exactly `size` bytes, the kind's header, seeded
 * pseudo-random content (xorshift32 from (seed, file)), the kind's trailer. Same inputs, same bytes.
 */
export function* fileBody(seed: number, fileIndex: number, kind: FileKind, size: number): Generator<Buffer> {
  const { head, tail } = frame(kind, size);
  const fillEnd = Math.max(head.length, size - tail.length);
  let state = mixSeed(seed, 25, fileIndex, 9) || 1;
  for (let start = 0; start < size; start += CHUNK) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - start));
    for (let i = 0; i < chunk.length; i += 1) {
      const pos = start + i;
      if (pos < head.length) chunk[i] = head[pos]!;
      else if (pos < fillEnd) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        chunk[i] = state & 0xff;
      } else chunk[i] = tail[pos - fillEnd] ?? 0;
    }
    yield chunk;
  }
}
