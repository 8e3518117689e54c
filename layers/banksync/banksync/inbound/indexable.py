"""Which normalised fields of a webhook the EventsTable can index.

A webhook is either stored or refused with a 4xx: a field too long to be an
index key (``customer_id`` is the ``by_customer`` index's partition key,
2,048 bytes at most) or one that would push the item past DynamoDB's 400 KB
must not turn into a 503 the provider retries for 150 minutes and then gives
up on. Such a field is not indexed (a cut-down id would be someone else's
id); the raw payload, kept whole, still holds it, and ``unindexed`` names it.
"""

# Far above any provider id or timestamp, far below DynamoDB's key limits; with
# the 256 KiB body limit, an item stays well under 400 KB.
MAX_INDEXED_BYTES = 512


def indexable(fields: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """(the fields to index, the names of those left out)."""
    kept, left_out = {}, []
    for name, value in fields.items():
        if len(value.encode("utf-8", "surrogatepass")) <= MAX_INDEXED_BYTES:
            kept[name] = value
        else:
            left_out.append(name)
    return kept, left_out
