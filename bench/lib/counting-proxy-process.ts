/**
 * The counting proxy's own process (see counting-proxy.ts): argv[2] is the upstream host:port.
 * Tells the parent its port, then answers `counts` / `reset` over IPC; exits on SIGTERM or when
 * the parent goes away.
 */
import { startCountingProxyServer } from './counting-proxy';

const upstream = process.argv[2];
if (!upstream || !process.send) {
  process.stderr.write('usage: forked by startCountingProxy with the upstream host:port\n');
  process.exit(2);
}
const server = await startCountingProxyServer(upstream);
process.on('message', (m: { id: number; cmd: 'counts' | 'reset' }) => {
  if (m.cmd === 'reset') server.reset();
  process.send!({ id: m.id, counts: server.counts() });
});
const stop = () => void server.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
process.send({ ready: server.port });
