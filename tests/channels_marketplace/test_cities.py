"""The DANE (DIVIPOLA) municipality list."""
from __future__ import annotations

from habilita.channels import cities


def test_main_cities_by_code():
    assert cities.city("11001").name.startswith("Bogotá")
    assert cities.city("05001").name == "Medellín"
    assert cities.city("05001").department == "Antioquia"
    assert cities.city("76001").name == "Cali"
    assert cities.city("76001").department_code == "76"
    assert cities.city("08001").name == "Barranquilla"
    assert cities.city("54001").name == "San José de Cúcuta"
    assert cities.city("99773").name == "Cumaribo"


def test_the_list_is_complete_and_well_formed():
    everything = cities.all_cities()
    assert len(everything) > 1000
    assert len({c.code for c in everything}) == len(everything)
    assert all(len(c.code) == 5 and c.code.isascii() and c.code.isdigit() for c in everything)
    assert len({c.department_code for c in everything}) == 33
    assert len({c.department for c in everything}) == 33
    assert all(c.name and c.name == c.name.strip() for c in everything)


def test_unknown_or_malformed_codes():
    assert cities.city("00000") is None
    assert cities.city("11002") is None
    assert cities.city("١١٠٠١") is None   # Arabic-Indic digits
    assert cities.city(" 11001") is None
    assert cities.city(11001) is None
    assert not cities.is_city_code("5001")
    assert cities.is_city_code("05001")


def test_search_ignores_accents_case_and_punctuation():
    assert cities.search("bogota")[0].code == "11001"
    assert cities.search("BOGOTÁ D.C.")[0].code == "11001"
    assert cities.search("medellin")[0].code == "05001"
    assert cities.search("cucuta")[0].code == "54001"
    assert cities.search("narino")[0].name == "Nariño"


def test_search_ranks_capitals_and_filters_by_department():
    armenias = cities.search("armenia")
    assert [c.code for c in armenias] == ["63001", "05059"]
    assert [c.code for c in cities.search("armenia antioquia")] == ["05059"]
    assert cities.search("cali")[0].code == "76001"


def test_search_by_code_prefix_and_limits():
    assert [c.code for c in cities.search("11001")] == ["11001"]
    found = cities.search("05", limit=200)
    assert len(found) == 125 and all(c.department == "Antioquia" for c in found)
    assert len(cities.search("san", limit=5)) == 5
    assert cities.search("") == [] and cities.search("  ") == [] and cities.search("zzzz") == []
