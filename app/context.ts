import { SqliteStore } from '../store';
import { loadConfig, resolveEncryptionKey, type AppConfig } from './config/config';
import { createLogger, type Logger } from './log/logger';

/** The composition root for one process: config parsed once, the store and the logger built from it. */
export interface AppContext {
  config: AppConfig;
  store: SqliteStore;
  log: Logger;
  close(): Promise<void>;
}

export function openAppContext(config: AppConfig = loadConfig()): AppContext {
  const log = createLogger({ level: config.logLevel });
  const store = new SqliteStore({ path: config.databasePath, encryptionKey: resolveEncryptionKey(config) });
  return {
    config,
    store,
    log,
    close: () => store.close(),
  };
}
