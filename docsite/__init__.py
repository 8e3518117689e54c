"""The documentation site's generated pages and its runnable examples.

Pages that restate what a file already says (the template's parameters and
alarms, the OpenAPI document, the record and event schemas, `make bench`'s
output) are generated from that file by ``python -m docsite.generate``
(``make docs-gen``) and committed; a test fails when one drifts from its source.
"""
