// The file sink: Falco's file_output. Appends one line per alert (text or JSON lines) to a file
// opened with O_APPEND, created with mode 0600 unless told otherwise (alerts describe what
// happened on hosts; not everyone on the box should read them).
//
// Durability (fsync policy):
//   'batch' (default)  send() resolves after the batch is written and fdatasync'ed: once the
//                      bus commits the batch, the alerts survive a crash or power loss.
//   'none'             send() resolves once the data is in the kernel's page cache: faster,
//                      but a machine crash can lose the last seconds of alerts.
// Log rotation: reopen() (and SIGHUP, unless reopenOnSighup is false) closes the file and opens
// the path again, so after logrotate renames the file, new alerts go to a fresh one. Writes and
// reopens are serialised: a batch is never split across the old and the new file. A batch
// whose write fails halfway is cut back, so the file holds whole lines only.
import { constants, type FileHandle, open } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Alert } from '../schemas/types.generated.js';
import { SinkConfigError, SinkError } from './errors.js';
import { createAlertFormatter, type AlertFormat, type FormatOptions } from './format.js';
import { describeError, sinkLogger, type Sink } from './sink.js';

export type FsyncPolicy = 'batch' | 'none';

export interface FileSinkOptions extends FormatOptions {
  path: string;
  /** 'json' (default: JSON lines) or 'text'. */
  format?: AlertFormat;
  fsync?: FsyncPolicy;
  /** Mode of a newly created file (default 0o600). */
  mode?: number;
  /** Reopen the file on SIGHUP, for log rotation (default true). */
  reopenOnSighup?: boolean;
  logger?: Logger;
}

export interface FileSink extends Sink {
  /** Closes the file and opens the path again (after log rotation). */
  reopen(): Promise<void>;
}

// Errors a later attempt can get past: space freed, descriptors released, a device back.
const TRANSIENT = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EAGAIN', 'EMFILE', 'ENFILE', 'EINTR', 'EBUSY']);

function fileError(message: string, err: unknown): SinkError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return new SinkError('file', `${message}: ${describeError(err)}`, { retriable: code !== undefined && TRANSIENT.has(code), cause: err });
}

/** Opens the file now, so a bad path or missing permission fails at startup. */
export async function openFileSink(options: FileSinkOptions): Promise<FileSink> {
  const { path } = options;
  if (typeof path !== 'string' || path === '') throw new SinkConfigError('file sink: path is required');
  const fsync = options.fsync ?? 'batch';
  if (fsync !== 'batch' && fsync !== 'none') throw new SinkConfigError(`file sink: fsync must be 'batch' or 'none', got ${JSON.stringify(fsync)}`);
  const mode = options.mode ?? 0o600;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new SinkConfigError(`file sink: mode must be a file mode like 0o600, got ${mode}`);
  const format = createAlertFormatter({ ...options, format: options.format ?? 'json' });
  const log = sinkLogger(options.logger, 'file');

  const openFile = async (): Promise<FileHandle> => {
    try {
      return await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, mode);
    } catch (err) {
      throw fileError(`cannot open ${path}`, err);
    }
  };

  let handle: FileHandle | null = await openFile();
  let closed = false;
  // Every operation runs after the previous one settles: one writer, no interleaving.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const next = queue.then(op, op);
    queue = next.catch(() => undefined);
    return next;
  };

  const reopen = (): Promise<void> =>
    serial(async () => {
      if (closed) return;
      const old = handle;
      handle = null;
      await old?.close().catch((err: unknown) => log.warn({ err: describeError(err) }, 'closing the old file failed'));
      handle = await openFile();
      log.info({ path }, 'reopened');
    });

  const onSighup = (): void => {
    reopen().catch((err: unknown) => log.error({ err: describeError(err), path }, 'reopen on SIGHUP failed; will retry on the next write'));
  };
  if (options.reopenOnSighup !== false) process.on('SIGHUP', onSighup);

  return {
    name: 'file',
    reopen,
    send(alerts: readonly Alert[]) {
      return serial(async () => {
        if (closed) throw new SinkError('file', 'send after close', { retriable: false });
        if (alerts.length === 0) return;
        let text = '';
        for (const alert of alerts) text += format(alert) + '\n';
        handle ??= await openFile(); // a failed reopen is retried here
        const h = handle;
        // Where the batch starts: a write that fails halfway (disk full) is cut back to here, so
        // the file never holds half a line and the retried batch is written once. This assumes
        // the sink is the file's only writer.
        const before = await h.stat().then((st) => (st.isFile() ? st.size : -1), () => -1);
        try {
          await h.appendFile(text, 'utf8');
          if (fsync === 'batch') await h.datasync();
        } catch (err) {
          if (before >= 0) await h.truncate(before).catch((e: unknown) => log.warn({ err: describeError(e), path }, 'cutting back a partial batch failed'));
          log.error({ err: describeError(err), path }, 'writing alerts failed');
          throw fileError(`cannot write to ${path}`, err);
        }
      });
    },
    close() {
      process.off('SIGHUP', onSighup);
      return serial(async () => {
        if (closed) return;
        closed = true;
        const h = handle;
        handle = null;
        if (h) {
          try {
            await h.close();
          } catch (err) {
            throw fileError(`cannot close ${path}`, err);
          }
        }
      });
    },
  };
}
