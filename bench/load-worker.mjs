// Runs autocannon on its own thread (the machine's other core), so the load generator does not
// take CPU from the app it measures. Posts back every response's status and time. Plain JavaScript:
// a worker thread does not inherit tsx's loader.
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

const target = workerData;
const statuses = [];
const times = [];
const instance = autocannon(
  {
    url: target.url,
    connections: target.connections,
    duration: target.seconds,
    headers: { cookie: target.cookie, 'accept-language': 'zh-CN,zh;q=0.9' },
  },
  (err, result) => {
    if (err) throw err;
    parentPort.postMessage({ statuses, times, errors: result.errors + result.timeouts });
  },
);
instance.on('response', (_client, status, _bytes, ms) => {
  statuses.push(status);
  times.push(ms);
});
