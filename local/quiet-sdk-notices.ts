// Imported first by the local entry points (`npm start`, `npm run demo`): cognito-local bundles AWS SDK v2, whose
// end-of-support notice, and SDK v3's "future versions need Node 22" note, would otherwise greet every run.
// Values the user set are respected.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
