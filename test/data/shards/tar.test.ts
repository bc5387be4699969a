import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { readTarEntries, tarEnd, tarMember, TarFormatError } from '../../../data/internal.js';
import { makeWorkDir } from '../../harness/index.js';

/** Splits bytes into chunks of `size`, as a network stream would deliver them. */
function* chunked(bytes: Buffer, size: number): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

async function collect(bytes: Buffer, chunkSize: number) {
  const entries = [];
  for await (const entry of readTarEntries(chunked(bytes, chunkSize))) entries.push(entry);
  return entries;
}

describe('data/shards: tar', function () {
  const members = [
    { name: '000000000001.jpg', data: Buffer.from('a'.repeat(511)) },
    { name: '000000000001.json', data: Buffer.from('{"x":1}') },
    { name: '000000000002.jpg', data: Buffer.alloc(0) },
    { name: '000000000002.json', data: Buffer.alloc(1025, 7) },
  ];
  const archive = Buffer.concat([...members.flatMap((m) => tarMember(m.name, m.data)), tarEnd()]);

  it('reads back every member intact, whatever the chunk boundaries', async function () {
    for (const chunkSize of [1, 7, 512, 100_000]) {
      const entries = await collect(archive, chunkSize);
      expect(entries.map((e) => [e.name, e.data.toString('hex')])).to.deep.equal(
        members.map((m) => [m.name, m.data.toString('hex')]),
      );
    }
  });

  it('writes standard ustar that GNU tar reads, with no timestamp (byte-identical on rewrite)', function () {
    const dir = makeWorkDir('tar');
    const file = join(dir, 'shard.tar');
    writeFileSync(file, archive);
    expect(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n')).to.deep.equal(
      members.map((m) => m.name),
    );
    expect(execFileSync('tar', ['-xOf', file, '000000000002.json']).equals(members[3]!.data)).to.equal(true);
    const again = Buffer.concat([...members.flatMap((m) => tarMember(m.name, m.data)), tarEnd()]);
    expect(again.equals(archive)).to.equal(true);
  });

  it('reports a truncated archive with the member and offset', async function () {
    const error = await collect(archive.subarray(0, 512 + 100), 64).catch((failure: unknown) => failure);
    expect(error).to.be.instanceOf(TarFormatError);
    expect((error as TarFormatError).message).to.contain('000000000001.jpg is cut short');
    expect((error as TarFormatError).offset).to.equal(0);
  });

  it('reports a damaged header by its checksum', async function () {
    const damaged = Buffer.from(archive);
    damaged.writeUInt8(damaged.readUInt8(1027) ^ 0xff, 1027); // inside the second member's name
    const error = await collect(damaged, 4096).catch((failure: unknown) => failure);
    expect(error).to.be.instanceOf(TarFormatError).with.property('offset', 1024);
  });

  it('reports an archive without its end marker', async function () {
    const error = await collect(archive.subarray(0, archive.length - 1024), 4096).catch((f: unknown) => f);
    expect((error as Error).message).to.contain('without its end marker');
  });
});
