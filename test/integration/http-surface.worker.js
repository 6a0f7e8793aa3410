// Runs the HTTP surface (test/integration/http-surface.harness.ts) in a worker thread, so the
// fuzzer's request generation and client run on one core and the server on the other.
require('../helpers/ts-register.js');
const { parentPort, workerData } = require('node:worker_threads');
const { startHttpSurface } = require('./http-surface.harness.ts');
const { routeTable } = require('../helpers/route-table.ts');

startHttpSurface(workerData).then(
  (s) => {
    parentPort.postMessage({
      type: 'ready',
      url: s.url,
      tokens: s.tokens,
      targets: s.targets,
      portalId: s.portalId,
      repUser: s.repUser,
      routes: routeTable(s.serve.app, ['/admin/queues']),
    });
    parentPort.on('message', (message) => {
      if (message === 'close') void s.close().then(() => parentPort.postMessage({ type: 'closed' }));
    });
  },
  (error) => parentPort.postMessage({ type: 'failed', message: String(error && error.stack ? error.stack : error) }),
);
