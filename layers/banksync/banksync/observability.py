"""The one Logger and Metrics every function shares.

Service name and namespace come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE, set once in the template's Globals.

Traces come from the platform, not from an SDK in the function: every function
has active tracing (``Tracing: Active``), so Lambda records each invocation's
segment (initialisation, invocation, overhead), and botocore forwards the
trace header (``_X_AMZN_TRACE_ID``) on every AWS call, so the services a
function calls can join its trace. There is no Powertools Tracer: it
loads the X-Ray SDK, the largest single part of a cold start, for per-call
subsegments.
"""

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()
