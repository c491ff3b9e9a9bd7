"""Decoding what Excel on Windows exports."""

from qa_warehouse.load.ingest.decode import decode, detect_encoding, strip_trailing_blank_rows


def test_utf8_bom_is_removed_and_header_normalised():
    decoded = decode("\ufeffLa_Code, Visit_ID\n885,V1\n".encode("utf-8"))
    assert decoded.header == ["la_code", "visit_id"]
    assert decoded.body.startswith(b"La_Code")
    assert decoded.postgres_encoding == "UTF8"


def test_windows_1252_is_detected():
    data = "la_code,team\n885,Kinship \u2013 South\n".encode("cp1252")
    assert detect_encoding(data) == "WIN1252"
    assert decode(data).postgres_encoding == "WIN1252"


def test_trailing_rows_of_commas_are_dropped_keeping_crlf():
    data = b"a,b\r\n1,2\r\n,\r\n , \r\n\r\n"
    assert strip_trailing_blank_rows(data) == b"a,b\r\n1,2\r\n"


def test_last_row_ending_in_empty_fields_is_kept():
    assert strip_trailing_blank_rows(b"a,b,c\n1,,\n") == b"a,b,c\n1,,\n"


def test_header_only_file_keeps_its_header():
    assert strip_trailing_blank_rows(b"a,b\n,\n") == b"a,b\n"


def test_blank_rows_are_looked_for_only_when_one_can_exist():
    assert not decode(b"a,b\r\n1,2\r\n3,\r\n,,\r\n").may_have_blank_rows  # trailing: already stripped
    assert decode(b"a,b\n1,2\n,\n3,4\n").may_have_blank_rows
    assert decode(b'a,b\n1,2\n"",""\n3,4\n').may_have_blank_rows
    assert not decode(b"a,b\n,2\n3,\n").may_have_blank_rows  # empty fields are not empty rows
