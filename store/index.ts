export * from './sqlite/sqlite-store';
export { migrations } from './sqlite/migrations';
export { TokenCipher } from './sqlite/token-cipher';
