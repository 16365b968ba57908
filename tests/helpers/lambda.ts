// A Lambda-shaped context and the sample events, for calling handlers the way Lambda does.
import { readFileSync } from 'node:fs';
import { SendMessageCommand, type ServiceOutputTypes } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import type { AwsStub } from 'aws-sdk-client-mock';

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `test-${functionName}-request`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function sampleEvent<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../events/${name}.json`, import.meta.url), 'utf8')) as T;
}

/** An error shaped like the ones the AWS SDK throws. */
export function awsError(name: string, status = 400, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} from the service`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    ...extra,
  });
}

/** What the consumer sent to the dead-letter queue, read off a mocked SQS client. */
export function deadLetteredBy(sqs: AwsStub<object, ServiceOutputTypes, object>) {
  return sqs.commandCalls(SendMessageCommand).map((call) => ({
    body: call.args[0].input.MessageBody,
    errorName: call.args[0].input.MessageAttributes?.errorName?.StringValue,
    reason: call.args[0].input.MessageAttributes?.reason?.StringValue,
  }));
}
