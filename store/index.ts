export * from './sqlite/sqlite-record-store';
export { migrations } from './sqlite/migrations';
export { TokenCipher } from './sqlite/token-cipher';
