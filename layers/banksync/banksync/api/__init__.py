"""The operator API (IAM-authorised routes on the HTTP API), one Router per resource."""
