// The links the team's pages make, from /assets/links.json (the webPages function's EXECUTION_DETAILS_URL): each
// feedback and document links the Step Functions execution that handled it, in the Step Functions console on AWS
// and in the local stack's Executions view offline.
let linksRequest;

/** The page links, fetched once; no links (rather than an error) when they cannot be read. */
export function pageLinks() {
  linksRequest ??= fetch('/assets/links.json', { cache: 'no-store', credentials: 'same-origin' })
    .then((response) => (response.ok ? response.json() : {}))
    .catch(() => ({}));
  return linksRequest;
}

/** The address of an execution's page, or undefined without a link setting or a Step Functions execution ARN. */
export function executionHref(links, executionArn) {
  if (typeof links?.executionDetailsUrl !== 'string' || typeof executionArn !== 'string') return undefined;
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):/.test(executionArn)) return undefined;
  // Encoded for a query or a fragment alike; colons stay readable (legal in both).
  return `${links.executionDetailsUrl}${encodeURIComponent(executionArn).replace(/%3A/g, ':')}`;
}
