"""People: senders and recipients grouped across OCR variants and forms (indexer/names.py,
indexer/people.py), and their use by facets, from:, to:, participant: and the alias file
(query/people.py). Each rule is checked on values read from the real page where they occur."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

import indexer
import query.people
from indexer.names import Kind, read_written
from indexer.people import PEOPLE_FILE, People, group_people, load_people
from query import Filters, search
from query.cli import app
from query.people import find_people

_HEADER = re.compile(r"^\W*(?:From|To|Cc)\b\s*[:;]?\s+(.+)$")
_WROTE = re.compile(r"^\W*On .*?\d:\d\d\s*[AP]M,\s*(.+?)\s+wrote:")


def written_on(path: Path, page: int) -> list[str]:
    """The From, To and Cc values of one page of a text release (pages split on form feeds), each
    To or Cc split on `;`, and the names of `On ..., NAME wrote:` lines, spaces made single."""
    text = path.read_text(encoding="utf-8").split("\f")[page - 1]
    values = []
    for line in text.splitlines():
        if m := _HEADER.match(line.strip()) or _WROTE.match(line.strip()):
            values += [" ".join(v.split()) for v in m.group(1).split(";") if v.strip()]
    return values


def grouped(*pages: tuple[Path, int]) -> tuple[People, list[str]]:
    values = [v for path, page in pages for v in written_on(path, page)]
    return group_people(Counter(values)), values


def same(people: People, *forms: str) -> bool:
    persons = {id(people.person_of(f)) for f in forms}
    return None not in {people.person_of(f) for f in forms} and len(persons) == 1


@pytest.fixture(scope="module")
def state_text(shared_corpus: Path) -> Path:
    return shared_corpus / "state-f2015-04841" / "pdftotext-layout"


# --- reading a written value ------------------------------------------------------------------


def test_state_c05739611_page_1_feltman_and_fettman_are_one_person(state_text: Path) -> None:
    people, values = grouped((state_text / "C05739611.txt", 1))
    assert {"Feltman, Jeffrey D", "Fettman, Jeffrey 0", "Burns, William I", "Sullivan, Jacobi"} <= set(values)
    assert same(people, "Feltman, Jeffrey D", "Fettman, Jeffrey 0")  # t for l, 0 for D
    assert people.person_of("Feltman, Jeffrey D").name == "Jeffrey D. Feltman"  # type: ignore[union-attr]
    assert not same(people, "Feltman, Jeffrey D", "Burns, William I")


def test_state_mills_cheryl_written_five_ways_is_one_person(state_text: Path) -> None:
    people, values = grouped(
        (state_text / "C05739569.txt", 1),  # Mills, Cheryl 0 <MillsCD@state.gov›
        (state_text / "C05739730.txt", 1),  # Mills, Chey 0 <MilisCD@state.gov>
        (state_text / "C05739787.txt", 1),  # Mills. Cheryl 0 <ivtillsCD@stategov›
        (state_text / "C05739547.txt", 1),  # Mills, Cheryl D <MillsCD@state.gov>
    )
    mills = [v for v in values if "ills" in v]
    assert len(set(mills)) >= 4
    assert same(people, *mills)
    assert people.person_of(mills[0]).name == "Cheryl D. Mills"  # type: ignore[union-attr]
    assert "MillsCD@state.gov" in people.person_of(mills[0]).addresses  # type: ignore[union-attr]


def test_state_c05739595_c05739695_h_joins_h_only_by_a_near_address(state_text: Path) -> None:
    people, values = grouped((state_text / "C05739595.txt", 1), (state_text / "C05739695.txt", 1))
    assert {"H <hrod17@clintonemail.com>", "H <hroc117©clintonemailcom>"} <= set(values)
    assert same(people, "H <hrod17@clintonemail.com>", "H <hroc117©clintonemailcom>")  # cl read as d
    lone = group_people(Counter(["H", "H <hrod17@clintonemail.com>", "Huma Abedin <huma@clintonemail.com>"]))
    assert not same(lone, "H", "H <hrod17@clintonemail.com>")  # a one-letter name alone: no address to share
    assert not same(lone, "H <hrod17@clintonemail.com>", "Huma Abedin <huma@clintonemail.com>")


def test_state_c05739688_page_4_hartley_writes_from_hanleys_address(state_text: Path) -> None:
    people, values = grouped((state_text / "C05739688.txt", 4), (state_text / "C05739645.txt", 1))
    hartley = next(v for v in values if v.startswith("Hartley, Monica R"))
    assert same(people, hartley, "Hanley, Monica R <HanleyMR@state.gov>")
    assert people.person_of(hartley).name == "Monica R. Hanley"  # type: ignore[union-attr]


def test_state_c05739830_c05739825_valmoro_shown_as_most_often_written(state_text: Path) -> None:
    people, values = grouped(
        (state_text / "C05739830.txt", 1), (state_text / "C05739825.txt", 1), (state_text / "C05739851.txt", 1)
    )
    assert "Valnnoro, Lona J <Valmoroti@stategov>" in values
    assert same(people, "Valnnoro, Lona J <Valmoroti@stategov>", "Valmoro, Lona J ‹ValmoroU c stategov>")
    assert people.person_of("Valnnoro, Lona J <Valmoroti@stategov>").name == "Lona J. Valmoro"  # type: ignore[union-attr]
    bums = read_written("Bums, William J <BurnsWi@state.gov>")
    assert "Bums, William J <BurnsWi@state.gov>" in values and (bums.surname, bums.given) == ("Bums", "William")


def test_state_c05739674_page_1_a_name_that_lost_its_comma_is_read_as_written_elsewhere(
    state_text: Path, shared_corpus: Path
) -> None:
    people, values = grouped((state_text / "C05739674.txt", 1), (state_text / "C05739674.txt", 2))
    assert {"Adler Caroline E", "Adler, Caroline E"} <= set(values)
    assert same(people, "Adler Caroline E", "Adler, Caroline E")
    assert people.person_of("Adler Caroline E").name == "Caroline E. Adler"  # type: ignore[union-attr]
    [amy] = [v for v in written_on(shared_corpus / "hhs-nih-fauci/txt/NIH-000338_NIH-000444.txt", 49) if "Agrawal" in v]
    assert group_people(Counter([amy])).person_of(amy).name == "Amy Agrawal"  # type: ignore[union-attr]


def test_fauci_nih_000338_page_53_and_nih_001184_page_4_two_kaplans_stay_apart(shared_corpus: Path) -> None:
    txt = shared_corpus / "hhs-nih-fauci" / "txt"
    people, values = grouped((txt / "NIH-000338_NIH-000444.txt", 53), (txt / "NIH-001184_NIH-001223.txt", 4))
    sheila = next(v for v in values if v.startswith("Kaplan, Sheila"))
    edward = next(v for v in values if v.startswith("Kaplan, Edward"))
    assert not same(people, sheila, edward)  # one surname, two people
    assert read_written(sheila).addresses[0].text == "sheila.kaplan@nytimes.com"


def test_fauci_nih_000445_page_6_only_the_first_persons_part_is_read(shared_corpus: Path) -> None:
    [value] = [v for v in written_on(shared_corpus / "hhs-nih-fauci/txt/NIH-000445_NIH-000551.txt", 6)
               if v.startswith("Hannah Dorsey")]  # fmt: skip
    assert "Date:" in value and "Conrad" in value  # a header run into one line
    written = read_written(value)
    assert (written.given, written.surname) == ("Hannah", "Dorsey")
    assert [a.text for a in written.addresses] == ["hdorsey@bio.org"]


def test_fauci_nih_000002_page_17_residue_and_suffixes_are_not_the_name(shared_corpus: Path) -> None:
    txt = shared_corpus / "hhs-nih-fauci" / "txt"
    values = written_on(txt / "NIH-000002_NIH-000119.txt", 17) + written_on(txt / "NIH-000760_NIH-000865.txt", 50)
    fauci = [v for v in values if v.startswith(("Anthony Fauci", "Fauci"))]
    assert any(v.startswith("Anthony Fauci 9 e@@>") for v in fauci)  # redaction residue after the name
    assert any("(NIH/NIAID) [E]" in v for v in fauci)  # the organization and employee tag
    assert {(read_written(v).given, read_written(v).surname) for v in fauci} == {("Anthony", "Fauci")}
    assert same(group_people(Counter(fauci)), *fauci)


def test_doj_ogr_00024319_hurwit_cut_at_the_edge_is_hurwitz(shared_corpus: Path) -> None:
    path = shared_corpus / "doj-ogr/txt/DOJ-OGR-00024301_DOJ-OGR-00024400.txt"
    people, values = grouped((path, 19), (path, 33))
    cut = next(v for v in values if v.startswith("Hugh Hurwit ") and "Hurwitz" not in v)
    assert read_written(cut).surname == "Hurwit"
    assert same(people, cut, "Hugh Hurwitz <HHurwitz@bop.gov>")


def test_state_c05739547_bare_address_joins_the_name_it_spells(state_text: Path) -> None:
    people, values = grouped((state_text / "C05739547.txt", 1))
    mills = next(v for v in values if v.startswith("Mills, Cheryl D"))
    spelled = group_people(Counter([mills.split("<")[0].strip(), "millscd@state.gov", "sullivanjj@state.gov"]))
    assert same(spelled, "Mills, Cheryl D", "millscd@state.gov")  # Mills + C + D
    assert not same(spelled, "Mills, Cheryl D", "sullivanjj@state.gov")
    assert read_written("millscd@state.gov").kind is Kind.none


def test_fauci_nih_000002_page_8_and_nih_000760_page_14_an_address_two_names_spell_joins_neither(
    shared_corpus: Path,
) -> None:
    txt = shared_corpus / "hhs-nih-fauci" / "txt"
    page = (txt / "NIH-000002_NIH-000119.txt").read_text(encoding="utf-8").split("\f")[7]
    anki = re.search(r"To: (\w+ Wolf) Subject:", page).group(1)  # type: ignore[union-attr]  # a run-in header
    [alex] = [v for v in written_on(txt / "NIH-000760_NIH-000865.txt", 14) if "Wolf" in v]
    assert (read_written(alex).given, read_written(alex).surname) == ("Alex", "Wolf")  # `, Esq.` is no comma
    address = read_written(alex).addresses[0].text
    people = group_people(Counter([anki, alex, address]))
    assert same(people, alex, address) and not same(people, anki, address)  # A. Wolf: Alex, by the address
    assert not same(group_people(Counter([anki, "Alex Wolf", address])), anki, address)  # or nobody


def test_fauci_nih_000658_pages_13_and_14_an_address_run_into_another_name_stays_its_owners(
    shared_corpus: Path,
) -> None:
    pages = (shared_corpus / "hhs-nih-fauci/txt/NIH-000658_NIH-000759.txt").read_text(encoding="utf-8").split("\f")
    conrad = re.search(r"Cc: (Conrad, Patricia .*<VerdugoA@cbsnews\.com>)", pages[12]).group(1)  # type: ignore[union-attr]
    verdugo = re.search(r"Ce: (Verdugo, Adam <VerdugoA@cbsnews\.com>)", pages[13]).group(1)  # type: ignore[union-attr]
    people = group_people(Counter([conrad, verdugo, "Conrad, Patricia (NIH/NIAID) [E]", "VerdugoA@cbsnews.com"]))
    assert not same(people, conrad, verdugo)  # the Cc list ran Verdugo's address into Conrad's name
    assert same(people, "VerdugoA@cbsnews.com", verdugo)
    assert same(people, conrad, "Conrad, Patricia (NIH/NIAID) [E]")


def test_doj_ogr_00024202_a_cc_list_of_addresses_joins_no_strangers(shared_corpus: Path) -> None:
    page = (shared_corpus / "doj-ogr/txt/DOJ-OGR-00024201_DOJ-OGR-00024300.txt").read_text(encoding="utf-8")
    cc = " ".join(re.search(r"^Cc: (.*\n.*), Michael Greco", page.split("\f")[1], re.MULTILINE).group(1).split())  # type: ignore[union-attr]
    written = read_written(cc)
    assert written.kind is Kind.none and [a.text for a in written.addresses] == ["SS@att.nct"]
    people = group_people(Counter([cc, "PODER@nysd.uscourts.ov", "PIII@usdoj.gov"]))
    assert not same(people, "PODER@nysd.uscourts.ov", "PIII@usdoj.gov")


def test_find_names_people_as_users_write_them(state_text: Path) -> None:
    people, _ = grouped((state_text / "C05739569.txt", 1), (state_text / "C05739595.txt", 1))
    mills = people.person_of("Mills, Cheryl 0 <MillsCD@state.gov›")
    assert mills is not None
    for name in ("Cheryl Mills", "mills", "Mills, Cheryl D", "millscd@state.gov", "Cheryl D. Mills"):
        assert mills in people.find(name), name
    assert [p.name for p in people.find("H")] == ["H <hrod17@clintonemail.com>"]
    assert people.find("Cheryl Smith") == () and people.find("benghazi") == ()


# --- chicago: a scanned production read by Tesseract ---------------------------------------


def test_chicago_foia_15_3569_part_12_page_10_shear_in_several_forms(shared_corpus: Path, tesseract: None) -> None:
    from indexer.ocr import ocr_page

    page = ocr_page(shared_corpus / "chicago-foia" / "FOIA 15-3569 FINAL PART 12.pdf", 10)
    values = re.findall(r'"?(Shear, Marvin J\.?"?\s*<[^>]*>|Shear, Marvin J\.)', page.text)
    assert len(set(values)) >= 2
    people = group_people(Counter(values))
    assert same(people, *values)
    assert people.person_of(values[0]).name == "Marvin J. Shear"  # type: ignore[union-attr]


# --- end to end: an index of real releases -----------------------------------------------------

SUBSET = ("C05739547", "C05739569", "C05739730", "C05739787", "C05739637",  # Mills, written five ways
          "C05739554", "C05739775", "C05739794", "C05739858", "C05739645")  # H four ways; Hanley  # fmt: skip


@pytest.fixture(scope="module")
def state_index(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """An index of ten State documents, and the agency's own sender of each (ground truth)."""
    folder = shared_corpus / "state-f2015-04841"
    index = tmp_path_factory.mktemp("people") / "ix"
    paths = [folder / "pdf" / f"{doc}.pdf" for doc in SUBSET]
    report = indexer.index_paths(paths, index, options=indexer.Options(workers=1))
    assert report.ok and report.documents == len(SUBSET)
    with (folder / "ground-truth.csv").open(newline="") as fh:
        truth = {r["doc_no"]: r["from"] for r in csv.DictReader(fh) if r["doc_no"] in SUBSET}
    return index, truth


def docs(index: Path, text: str, filters: Filters | None = None) -> set[str]:
    return {h.doc_number or "" for h in search(index, text, filters, limit=None).hits}


def test_state_index_facets_and_from_use_the_groups(state_index: tuple[Path, dict[str, str]]) -> None:
    index, truth = state_index
    assert load_people(index) is not None  # computed when the run ended
    mills = {d for d, sender in truth.items() if sender == "Mills, Cheryl D"}
    h = {d for d, sender in truth.items() if sender == "H"}
    senders = {f.value: f.count for f in search(index, "", facets=["sender"], top_values=None).facets["sender"]}
    assert senders["Cheryl D. Mills"] == len(mills) == 5
    assert not any(v.startswith("Mills") for v in senders)
    assert docs(index, 'from:"Cheryl Mills"') == docs(index, "", Filters(sender="mills")) == mills
    assert docs(index, "from:H") == h  # a one-letter name, every address OCR made of its own
    assert docs(index, "participant:MillsCD@state.gov") >= mills


def test_state_index_alias_file_overrides_the_groups(state_index: tuple[Path, dict[str, str]]) -> None:
    index, truth = state_index
    h = {d for d, sender in truth.items() if sender == "H"}
    (index / "aliases.txt").write_text("Hillary Clinton = H\nMills = Mills, Cheryl D\n", encoding="utf-8")
    foia = CliRunner()
    try:
        result = foia.invoke(app, ["facets", "--by", "sender", "--index", str(index)])
        assert result.exit_code == 0, result.output
        assert re.search(rf"^\s+{len(h)}\s+Hillary Clinton$", result.stdout, re.MULTILINE)  # every H, one person
        assert re.search(r"^\s+5\s+Mills$", result.stdout, re.MULTILINE)  # the group, under the alias name
        result = foia.invoke(app, ["search", 'from:"Hillary Clinton"', "--format", "json", "--index", str(index)])
        assert {hit["doc_number"] for hit in json.loads(result.stdout)["hits"]} == h
        result = foia.invoke(app, ["people", "Cheryl Mills", "--json", "--index", str(index)])
        [person] = json.loads(result.stdout)["people"]
        assert person["name"] == "Mills" and "Mills, Chey 0 <MilisCD@state.gov>" in person["forms"]
    finally:
        (index / "aliases.txt").unlink()
    assert find_people(index, "Cheryl Mills")[0].name == "Cheryl D. Mills"


def test_people_are_computed_again_when_the_index_changes(state_index: tuple[Path, dict[str, str]]) -> None:
    index, _ = state_index
    saved = json.loads((index / PEOPLE_FILE).read_text(encoding="utf-8"))
    (index / PEOPLE_FILE).write_text(json.dumps(saved | {"key": "stale"}), encoding="utf-8")
    query.people._CACHE.clear()  # this process's copy, as a new process would start
    assert find_people(index, "Cheryl Mills")[0].name == "Cheryl D. Mills"
    assert json.loads((index / PEOPLE_FILE).read_text(encoding="utf-8"))["key"] == saved["key"]
