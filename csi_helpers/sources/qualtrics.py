"""Qualtrics exports (CSV or XLSX, "Download data"): three header rows.

=====  ====================================================================
row    content
=====  ====================================================================
1      column ids: ``StartDate, EndDate, Status, IPAddress, Progress,
       Duration (in seconds), Finished, RecordedDate, ResponseId, Recipient*,
       ExternalReference, Location*, DistributionChannel, UserLanguage, Q1,
       Q2_1 ...`` (``_TEXT`` suffix: a text entry)
2      the question text (matrix rows ``How satisfied ...? - Product quality``)
3      ``{"ImportId":"QID2_1"}``: the platform's internal ids
=====  ====================================================================

``Finished`` is ``True`` / ``False`` (CSV) or ``1`` / ``0`` (some XLSX exports);
``Progress`` < 100 marks a partial response. Legacy exports have two header rows
(``ResponseID`` and ``V1`` ... columns); they are recognised too. Recipient names, e-mails,
IP addresses and locations are contact data: the survey reader drops them.

Example
-------
>>> header_rows([["ResponseId", "Q1"], ["Response ID", "How satisfied?"],
...              ['{"ImportId":"_recordId"}', '{"ImportId":"QID1"}']])
3
"""
from __future__ import annotations

__all__ = ["header_rows", "DEFAULTS", "META"]

#: The platform's own id, duration, status and time columns: defaults of sources.survey.
DEFAULTS = {"id_column": "ResponseId", "duration_column": "Duration (in seconds)",
            "status_column": "Finished", "time_column": "StartDate"}
META = ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
        "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
        "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
        "DistributionChannel", "UserLanguage")


def header_rows(rows) -> int:
    """How many header rows a Qualtrics export has (3, or 2 for legacy), 0 if it is none.

    `rows` are the file's first three rows as lists of cells.
    """
    if not rows:
        return 0
    first = {str(c).strip() for c in rows[0] if isinstance(c, str)}
    third = [str(c) for c in (rows[2] if len(rows) > 2 else []) if isinstance(c, str)]
    if "ResponseId" in first and third and sum(c.startswith('{"ImportId"') for c in third) \
            >= max(1, len(third) // 2):
        return 3
    if "ResponseID" in first and "V1" in first:
        return 2
    return 0
