// Integration tests use a real Redis. CI (.ci/run) starts one and sets REDIS_URL; on a developer
// machine with redis-server on PATH we start a throwaway one on a free loopback port.
const { spawn, spawnSync } = require('node:child_process');
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForPing(port) {
  for (let i = 0; i < 100; i++) {
    const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (r.stdout && r.stdout.trim() === 'PONG') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

module.exports = async function startRedisIfNeeded() {
  if (process.env.REDIS_URL) return;
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    process.env.SE_TEST_REDIS_MISSING =
      'redis-server is not installed and REDIS_URL is not set: install it (apt-get install redis-server) or run `bash .ci/run`';
    return;
  }
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'se-redis-'));
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
    detached: false,
  });
  await waitForPing(port);
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
  globalThis.__SE_REDIS__ = { child, dir };
};
