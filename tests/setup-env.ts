// Tests never reach AWS: fixed fake credentials and region, and quiet logs unless asked for.
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.POWERTOOLS_LOG_LEVEL ??= process.env.TEST_LOG_LEVEL ?? 'SILENT';
process.env.POWERTOOLS_DEV ??= 'false';
// The SDK warns that releases after January 2027 need Node 22; these machines run Node 20 on purpose (Lambda runs 24).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
