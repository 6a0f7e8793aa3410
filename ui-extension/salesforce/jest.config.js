// Run from this folder: `npx sfdx-lwc-jest` (it reads sfdx-project.json and this config here).
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = { ...jestConfig, testMatch: ['**/__tests__/**/*.test.js'] };
