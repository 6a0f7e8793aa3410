export * from './sqlite/sqlite-store';
export { migrations } from './sqlite/migrations';
export { TokenCipher } from './shared/token-cipher';
