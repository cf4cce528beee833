"""The Hindi catalogs follow the glossary in docs/glossary.md: one word for one thing, one spelling per word."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import catalog

GLOSSARY = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"
NOTHING = {"", "—", "-"}


def _rows() -> list[dict[str, str]]:
    """The glossary table as dicts keyed by its header (English, Hindi, avoid, note)."""
    lines = [line.strip() for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
            for line in lines[2:]]


def _texts() -> dict[str, str]:
    return catalog("hi")


def test_the_glossary_table_is_read() -> None:
    rows = _rows()

    assert len(rows) > 20
    assert {"English", "Hindi", "avoid", "note"} <= set(rows[0])
    assert any(row["English"] == "need" and row["avoid"] == "आवश्यकता" for row in rows)


def test_no_hindi_text_uses_an_avoided_form() -> None:
    used = [(key, form) for row in _rows() if row["avoid"] not in NOTHING
            for form in (form.strip() for form in row["avoid"].split(","))
            for key, text in _texts().items() if form in text]

    assert used == []


def test_every_glossary_term_is_in_use() -> None:
    texts = "\n".join(_texts().values())
    unused = [row["Hindi"] for row in _rows()
              if not any(form.strip() in texts for form in row["Hindi"].split("/"))]

    assert unused == []


def test_the_basic_glossary_holds_even_if_the_table_changes() -> None:
    for key, text in _texts().items():
        for form in ("आवश्यकता", "संदिग्ध", "मना किया", "मजबूत", "कमजोर", "ग़लत", "ज़िला", "बात की रिपोर्ट"):
            assert form not in text, (key, form)


def test_role_labels_hold_no_brackets() -> None:
    """Role labels are shown as "name (role)": a bracket inside would make "(एडमिन (आईटी प्रकोष्ठ))"."""
    for language in ("hi", "en"):
        labels = {key: text for key, text in catalog(language).items() if key.startswith("role.")}
        assert len(labels) >= 5
        assert [key for key, text in labels.items() if "(" in text or ")" in text] == []
