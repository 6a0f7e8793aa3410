// Lets a child process started by a test `require()` TypeScript sources directly, compiled with
// the same swc settings as jest, so integration tests never depend on a stale dist/.
const fs = require('node:fs');
const swc = require('@swc/core');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
