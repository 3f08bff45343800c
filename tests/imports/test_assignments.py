from __future__ import annotations

import pytest

from portal.imports.parsing import AssignmentRow, RejectedRow, TooManyRows, UnsupportedFile
from tests.imports.filemakers import GRAPH_EXAMPLE_SECRET, csv_bytes, entra_csv
from tests.imports.readback import assignments_all


def test_upn_serial_pairs_in_either_order() -> None:
    assert assignments_all(csv_bytes([["upn", "serial"], ["Alice@Contoso.com", "0001"]])) == [
        AssignmentRow(2, "alice@contoso.com", "0001")
    ]
    assert assignments_all(csv_bytes([["serialNumber", "userPrincipalName"], ["0002", "bob@contoso.com"]])) == [
        AssignmentRow(2, "bob@contoso.com", "0002")
    ]


def test_the_entra_csv_with_upns_is_an_assignment_file_too() -> None:
    data = entra_csv([["carol@contoso.com", "0003", GRAPH_EXAMPLE_SECRET, "30", "C", "M"]], bom=True)
    assert assignments_all(data) == [AssignmentRow(2, "carol@contoso.com", "0003")]


def test_bad_rows_are_refused_with_reasons() -> None:
    data = csv_bytes(
        [
            ["upn", "serial"],
            ["dave@contoso.com", "0001"],
            ["", "0002"],
            ["erin", "0003"],
            ["frank@contoso.com", ""],
            ["gina@contoso.com", "0001"],
            ["x_fabrikam.com#EXT#@contoso.onmicrosoft.com", "0004"],
        ]
    )
    verdicts = assignments_all(data)
    assert verdicts[0] == AssignmentRow(2, "dave@contoso.com", "0001")
    assert verdicts[1:] == [
        RejectedRow(3, "0002", "missing UPN"),
        RejectedRow(4, "0003", "assignee 'erin' is not a user principal name (name@domain)"),
        RejectedRow(5, None, "missing serial number"),
        RejectedRow(6, "0001", "duplicate serial in this file (first seen on row 2)", repeated=True),
        RejectedRow(7, "0004", "guest accounts (#EXT#) cannot hold a hardware token in Entra"),
    ]


def test_a_file_without_a_upn_column_is_refused() -> None:
    with pytest.raises(UnsupportedFile, match="UPN column and a serial column"):
        assignments_all(entra_csv([["0001", GRAPH_EXAMPLE_SECRET, "30", "C", "M"]], with_upn=False))
    with pytest.raises(UnsupportedFile, match="empty"):
        assignments_all(b"")


def test_max_rows() -> None:
    data = csv_bytes([["upn", "serial"], *[[f"u{i}@contoso.com", str(i)] for i in range(6)]])
    with pytest.raises(TooManyRows):
        assignments_all(data, max_rows=5)
