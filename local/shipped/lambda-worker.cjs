// One Lambda execution environment: a worker thread with its own process.env (the function's template
// environment), which loads the bundle once (the cold start) and runs one invocation at a time.
const { parentPort, workerData } = require('node:worker_threads');

let handler;
function load() {
  if (handler) return handler;
  const [file, name] = splitHandler(workerData.handler);
  const module = require(require('node:path').join(workerData.assetDir, file));
  handler = module[name];
  if (typeof handler !== 'function') throw new Error(`${workerData.handler} is not a function in the bundle`);
  return handler;
}

function splitHandler(spec) {
  const dot = spec.lastIndexOf('.');
  return [`${spec.slice(0, dot)}.js`, spec.slice(dot + 1)];
}

function contextFor(request) {
  const deadline = Date.now() + request.timeoutMs;
  return {
    awsRequestId: request.requestId,
    functionName: workerData.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: workerData.functionArn,
    memoryLimitInMB: String(workerData.memorySize),
    logGroupName: `/aws/lambda/${workerData.functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
}

parentPort.on('message', async (request) => {
  try {
    const result = await load()(request.event, contextFor(request));
    parentPort.postMessage({ id: request.id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ id: request.id, ok: false, errorType: err.name, errorMessage: err.message });
  }
});
