// The local S3's CORS rule matching, as S3 evaluates a bucket's CorsConfiguration for a preflight.
import { matchCorsRule, type CorsRule } from '../../local/s3/cors.js';

const rules: CorsRule[] = [
  { AllowedMethods: ['PUT'], AllowedOrigins: ['http://127.0.0.1:3000'], AllowedHeaders: ['content-type', 'x-amz-*'], ExposedHeaders: ['ETag'] },
  { AllowedMethods: ['GET'], AllowedOrigins: ['https://*.example.org'] },
];

describe('matching a preflight against the bucket CORS rules', () => {
  it('allows the page origin to PUT with the signed headers', () => {
    expect(matchCorsRule(rules, 'http://127.0.0.1:3000', 'PUT', ['content-type', 'x-amz-meta-name'])).toBe(rules[0]);
  });

  it.each([
    ['another origin', 'http://evil.example', 'PUT', ['content-type']],
    ['a method no rule allows', 'http://127.0.0.1:3000', 'DELETE', []],
    ['a header no rule allows', 'http://127.0.0.1:3000', 'PUT', ['authorization']],
    ['a wildcard origin for the wrong method', 'https://team.example.org', 'PUT', []],
  ])('refuses %s', (_label, origin, method, headers) => {
    expect(matchCorsRule(rules, origin, method, headers)).toBeUndefined();
  });

  it('matches one * inside an origin, as S3 does', () => {
    expect(matchCorsRule(rules, 'https://team.example.org', 'GET', [])).toBe(rules[1]);
    expect(matchCorsRule(rules, 'https://example.org.evil.net', 'GET', [])).toBeUndefined();
  });
});
