"""Writing many rows' results quickly: one parameterised UPDATE per row, sent with executemany.

Django's bulk_update builds one `CASE WHEN id = … THEN …` expression per field and row; resolving
those is quadratic enough to dominate a 10,000-row import (measured: about a third of a second per
100 rows). Every row here gets different values anyway (its own device id, detail, time), so one
prepared statement executed per row is both simpler and faster. Values go through each field's own
`get_db_prep_save`, so dates, bytes and text are stored exactly as the ORM would store them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Field

from portal.imports.models import ImportRow


def rows_update(rows: Sequence[ImportRow], fields: Sequence[str], *, only_pending: bool = False) -> None:
    """Write `fields` of each row (by primary key); with `only_pending`, only rows still pending."""
    if not rows:
        return
    connection = connections[router.db_for_write(ImportRow)]
    quote = connection.ops.quote_name
    columns: list[Field[Any, Any]] = []
    for name in fields:
        field = ImportRow._meta.get_field(name)
        if not isinstance(field, Field):
            raise TypeError(f"{name} is not a concrete field of ImportRow")
        columns.append(field)
    assignments = ", ".join(f"{quote(column.get_attname_column()[1] or column.name)} = %s" for column in columns)
    condition = f"{quote('id')} = %s"
    if only_pending:
        condition += f" AND {quote('outcome')} = %s"
    table = quote(ImportRow._meta.db_table)
    sql = f"UPDATE {table} SET {assignments} WHERE {condition}"  # noqa: S608  # nosec B608: only model names are interpolated
    params = []
    for row in rows:
        values = [column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns]
        values.append(row.pk)
        if only_pending:
            values.append(ImportRow.Outcome.PENDING)
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
