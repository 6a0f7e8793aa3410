const fs = require('node:fs');

module.exports = async function stopRedis() {
  const started = globalThis.__SE_REDIS__;
  if (!started) return;
  started.child.kill('SIGTERM');
  await new Promise((resolve) => started.child.once('exit', resolve));
  fs.rmSync(started.dir, { recursive: true, force: true });
};
