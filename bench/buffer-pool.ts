import type { Knex } from 'knex';

const WANTED_BYTES = 1024 ** 3;

/**
 * A million customers and their indexes take about 620 MB, and MariaDB's stock 128 MB buffer pool
 * would measure the disk, not the app. Any server holding a million customers is given more, so
 * the bench grows the pool to 1 GiB (a dynamic setting, kept until the server restarts) if smaller.
 */
export async function ensureBufferPool(db: Knex, log: (line: string) => void): Promise<number> {
  const [[row]] = (await db.raw('select @@innodb_buffer_pool_size as size')) as [[{ size: number | string }]];
  const size = Number(row.size);
  if (size >= WANTED_BYTES) return size;
  try {
    await db.raw('SET GLOBAL innodb_buffer_pool_size = ?', [WANTED_BYTES]);
    log(`innodb_buffer_pool_size raised from ${size / 1024 ** 2} MiB to ${WANTED_BYTES / 1024 ** 2} MiB`);
    // The resize runs in the background; wait until the server reports the new size.
    for (let i = 0; i < 100; i++) {
      const [[now]] = (await db.raw('select @@innodb_buffer_pool_size as size')) as [[{ size: number | string }]];
      if (Number(now.size) >= WANTED_BYTES) return Number(now.size);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (err) {
    log(`Could not raise innodb_buffer_pool_size (${err instanceof Error ? err.message : String(err)}); measuring with ${size / 1024 ** 2} MiB`);
  }
  return size;
}
