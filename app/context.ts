import type { Store } from '../core';
import { loadConfig, resolveEncryptionKey, type AppConfig } from './config/config';
import { createLogger, type Logger } from './log/logger';
import { openStore, storeLocationOf, type StoreLocation } from './open-store';

/** The composition root for one process: config parsed once, the store and the logger built from it. */
export interface AppContext {
  config: AppConfig;
  store: Store;
  /** Where the store lives, for threads and processes that open their own connection. */
  storeLocation: StoreLocation;
  log: Logger;
  close(): Promise<void>;
}

export async function openAppContext(config: AppConfig = loadConfig()): Promise<AppContext> {
  const log = createLogger({ level: config.logLevel });
  const storeLocation = storeLocationOf(config);
  const store = await openStore(storeLocation, { encryptionKey: resolveEncryptionKey(config) });
  return { config, store, storeLocation, log, close: () => store.close() };
}
