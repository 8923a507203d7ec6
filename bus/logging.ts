// Loggers for the bus when the caller passes none: silent, so a library never prints on its own.
import { pino, type Logger } from 'pino';

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
