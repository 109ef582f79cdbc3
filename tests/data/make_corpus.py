"""Regenerate the committed input corpus in tests/data/good and tests/data/bad.

Run ``python tests/data/make_corpus.py``. Files are small and deterministic; big ones (the
200 MB file, the zip bomb) are generated at test time by tests/integration/test_bad_inputs.py.
The expected outcome of every bad file is in test_bad_inputs.CASES; tests/data/bad/README.md
lists them.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOOD = HERE / "good"
BAD = HERE / "bad"

CITIES = (
    "name,name_zh,province,lat,lon,area_km2\n"
    "Shenyang,沈阳,Liaoning,41.805,123.431,12860\n"
    "Dalian,大连,Liaoning,38.914,121.615,13237\n"
    "Anshan,鞍山,Liaoning,41.108,122.994,9255\n"
    "Fushun,抚顺,Liaoning,41.880,123.957,11271\n"
)
INDICATORS = (
    "city,year,culture_output,digital_index\n"
    "Shenyang,2015,120.5,0.41\n" "Shenyang,2016,131.0,0.45\n"
    "Dalian,2015,110.2,0.39\n" "Dalian,2016,118.9,0.44\n"
    "Anshan,2015,40.1,0.22\n" "Anshan,2016,42.0,0.25\n"
    "Fushun,2015,30.3,0.18\n" "Fushun,2016,31.7,\n"
)
ENTERPRISES = (
    "id,name,city\n"
    "E01,Shengjing Media,Shenyang\n" "E02,Liaohai Publishing,Shenyang\n"
    "E03,Binhai Animation,Dalian\n" "E04,Xinghai Design,Dalian\n"
    "E05,Steel City Arts,Anshan\n" "E06,Coal Capital Crafts,Fushun\n"
)
COOPERATION = (
    "source,target,weight,year\n"
    "E01,E03,3,2015\n" "E01,E02,2,2015\n" "E03,E05,1,2015\n" "E02,E06,4,2016\n"
    "E04,E01,2,2016\n" "E05,E06,1,2016\n"
)
SERIES = "region,period,culture_share\nLiaoning,2015Q1,3.1\nLiaoning,2015Q2,3.3\nLiaoning,2015Q3,3.2\n"
CITY_LINKS = "source,target,weight,year\nShenyang,Dalian,5,2016\nDalian,Anshan,2,2016\n"

GOOD_TEXT = {
    "cities.csv": CITIES, "indicators.csv": INDICATORS, "enterprises.csv": ENTERPRISES,
    "cooperation.csv": COOPERATION, "series.csv": SERIES, "city_links.csv": CITY_LINKS,
}

# (file name, content as str (UTF-8) or bytes)
BAD_FILES: dict[str, str | bytes] = {
    # encodings
    "enc_mixed_utf8_gbk.csv": "name,name_zh,lat,lon\nTieling,铁岭,42.29,123.84\n".encode()
        + "Chaoyang,朝阳,41.57,120.45\n".encode("gbk"),
    "enc_latin1.csv": "name,lat,lon\nZürich,47.37,8.54\n".encode("cp1252"),
    "enc_bom_in_middle.csv": b"\xef\xbb\xbfname,lat,lon\nTieling,42.29,123.84\n\xef\xbb\xbfChaoyang,41.57,120.45\n",
    "enc_utf16_no_bom.csv": "name,lat,lon\nTieling,42.29,123.84\n".encode("utf-16-le"),
    "enc_gbk_bad_bytes.csv": "name,name_zh,lat,lon\nTieling,铁岭,42.29,123.84\n".encode("gbk") + b"Chaoyang,\x81\x20\xff,41.57,120.45\n",
    # columns
    "col_missing.csv": "name,lat\nTieling,42.29\n",
    "col_misspelled.csv": "name,lat,longitdue\nTieling,42.29,123.84\n",
    "col_misspelled_edges.csv": "sorce,target,weight\nShenyang,Dalian,1\n",
    "col_duplicate_header.csv": "name,lat,lon,lat\nTieling,42.29,123.84,42.3\n",
    # values
    "val_lat_out_of_range.csv": "name,lat,lon\nTieling,42.29,123.84\nChaoyang,91.5,120.45\n",
    "val_lon_out_of_range.csv": "name,lat,lon\nTieling,42.29,123.84\nChaoyang,41.57,190\n",
    "val_nonnumeric_lat.csv": "name,lat,lon\nTieling,north,123.84\n",
    "val_nonnumeric_year.csv": "city,year,culture_output\nShenyang,2017,1.0\nDalian,twenty,2.0\n",
    "val_year_out_of_range.csv": "city,year,culture_output\nShenyang,1850,1.0\n",
    "val_nonnumeric_indicator.csv": "city,year,culture_output\nShenyang,2017,lots\n",
    "val_inf_indicator.csv": "city,year,culture_output\nShenyang,2017,inf\n",
    "val_bad_period.csv": "region,period,culture_share\nLiaoning,2015Q5,1\n",
    "w_nan.csv": "source,target,weight\nShenyang,Dalian,1\nDalian,Anshan,NaN\n",
    "w_negative.csv": "source,target,weight\nShenyang,Dalian,-2\n",
    "w_huge.csv": "source,target,weight\nShenyang,Dalian,5e13\n",
    "w_inf.csv": "source,target,weight\nShenyang,Dalian,inf\n",
    "w_nonnumeric.csv": "source,target,weight\nShenyang,Dalian,often\n",
    "edge_self_loop.csv": "source,target,weight\nShenyang,Dalian,1\nAnshan,Anshan,2\n",
    "edge_unknown_city.csv": "source,target,weight\nShenyang,Dalian,1\nShenyang,Atlantis,2\n",
    "edge_unknown_enterprise.csv": "source,target,weight,year\nE01,E02,1,2017\nE01,E99,1,2017\n",
    "edge_mixed_levels.csv": "source,target,weight\nE01,E02,1\nE03,E04,1\nE05,Dalian,1\n",
    "triples_bad_frequency.txt": "node partner frequency\nE01 E02 3\nE02 E03 lots\n",
    # keys and references
    "dup_city.csv": "name,lat,lon\nTieling,42.29,123.84\nChaoyang,41.57,120.45\nTieling,42.3,123.8\n",
    "dup_city_year.csv": "city,year,culture_output\nShenyang,2017,1\nShenyang,2017,2\n",
    "dup_enterprise.csv": "id,name,city\nE20,Alpha,Shenyang\nE20,Beta,Dalian\n",
    "ref_unknown_city.csv": "city,year,culture_output\nShenyang,2017,1\nAtlantis,2017,2\n",
    "ref_enterprise_unknown_city.csv": "id,name,city\nE21,Alpha,Shenyang\nE22,Beta,Shenyan\n",
    # injection
    "inj_hyperlink.csv": 'id,name,city\nE23,"=HYPERLINK(""http://x"",""y"")",Shenyang\n',
    "inj_at_sum.csv": "name,lat,lon\n@SUM(A1:A9),42.29,123.84\n",
    # structure
    "empty.csv": "",
    "header_only.csv": "name,lat,lon\n",
    "blank_lines_only.csv": "\n\n  \n",
    "wrong_delimiter.csv": "name;lat;lon\nTieling,42.29,123.84\n",
    "too_many_fields.csv": "name,lat,lon\nTieling,42.29,123.84,extra\n",
    "unterminated_quote.csv": 'name,lat,lon\nTieling,42.29,123.84\n"Chaoyang,41.57,120.45\n',
    "no_header.csv": "41.8,123.4,1\n38.9,121.6,2\n",
    "binary_junk.csv": bytes(range(256)) * 4,
    "zip_renamed.csv": b"PK\x03\x04" + bytes(60),
    "not_a_zip.xlsx": "name,lat,lon\nTieling,42.29,123.84\n",
    # pajek
    "pajek_wrong_count.net": '*Vertices 3\n1 "Shenyang"\n2 "Dalian"\n3 "Anshan"\n4 "Fushun"\n*Arcs\n1 2 1\n',
    "pajek_broken_line.net": '*Vertices 2\n1 "Shenyang"\n2 "Dalian"\n*Arcs\n1 2 1\n2\n',
    "pajek_id_out_of_range.net": '*Vertices 2\n1 "Shenyang"\n2 "Dalian"\n*Edges\n1 7 1\n',
    "pajek_bad_weight.net": '*Vertices 2\n1 "Shenyang"\n2 "Dalian"\n*Arcs\n1 2 heavy\n',
    "pajek_two_mode.net": '*Vertices 4 2\n1 "a"\n2 "b"\n3 "c"\n4 "d"\n*Edges\n1 3\n',
    "pajek_unterminated_quote.net": '*Vertices 2\n1 "Shenyang\n2 "Dalian"\n*Arcs\n1 2\n',
    "pajek_no_vertices.net": "*Arcs\n1 2 1\n",
    "pajek_partition.net": '*Vertices 2\n1 "Shenyang"\n2 "Dalian"\n*Partition\n1\n2\n',
    # issue 11 item 2: reserved and unsafe property names (a column may not forge provenance)
    "col_reserved_datasets.csv": "name,lat,lon,datasets\nTieling,42.29,123.84,ds-0000000000000000\n",
    "col_reserved_key.csv": "city,year,culture_output,key\nShenyang,2017,1.0,city|Shenyang|2017\n",
    "col_reserved_study.csv": "id,name,city,study\nE30,Alpha,Shenyang,other\n",
    "col_reserved_prefix.csv": "name,lat,lon,sna_degree,_hidden\nTieling,42.29,123.84,3,x\n",
    "col_backtick.csv": "region,period,`share`\nLiaoning,2015Q1,3.1\n",
    # issue 11 item 6: formula-like values with a - or + prefix
    "inj_minus_cmd.csv": "id,name,city\n-2+cmd|' /C calc'!A0,Alpha,Shenyang\n",
    # issue 11 item 9: tiny files, unbounded cost
    "pajek_huge_count.net": "*Vertices 3000000000\n*Arcs\n1 2\n",
    "pajek_superscript_count.net": "*Vertices \u00b2\n*Arcs\n1 2\n",
    "pajek_arabic_digits.net": '*Vertices 2\n1 "Shenyang"\n\u0662 "Dalian"\n*Arcs\n1 2 \u0663\n',
    # issue 11 "smaller ones": look-alike names, aliases, name_zh taking over a name, Pajek lines
    "val_zero_width_name.csv": "name,lat,lon\nTieling,42.29,123.84\nTie\u200bling,42.29,123.84\n",
    "val_bidi_override.csv": "id,name,city\nE31,\u202eAlpha,Shenyang\n",
    "val_c1_control.csv": "name,lat,lon\nChao\u0085yang,41.57,120.45\n",
    "dup_nfd_nfc.csv": "name,lat,lon\nZu\u0308rich,47.37,8.54\nZ\u00fcrich,47.37,8.54\n",
    "dup_name_zh_is_name.csv": "name,name_zh,lat,lon\nTieling,\u94c1\u5cad,42.29,123.84\n\u94c1\u5cad,Tieling,42.29,123.84\n",
    "col_ambiguous_lat.csv": "name,lat,latitude,lon\nTieling,42.29,42.3,123.84\n",
    "col_ambiguous_source.csv": "source,from,target,weight\nShenyang,Dalian,Anshan,1\n",
    "pajek_line_separator.net": '% a comment with a line separator \u2028 and a NEL \u0085 inside\n*Vertices 3\n'
                               '1 "Shen\u2029yang"\n2 "Dalian"\n3 "Anshan"\n*Arcs\n2 3 1\n1 2 1\n',
    # issue 15 item 4: every problem of a file in one pass
    "edge_bad_weight_and_unknown_city.csv": "source,target,weight\nShenyang,Dalian,often\nShenyang,Atlantis,2\n",
}


def write_xlsx() -> None:
    import openpyxl

    # merged cells
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "cities"
    ws.append(["name", "lat", "lon"])
    ws.append(["Tieling", 42.29, 123.84])
    ws.append(["Chaoyang", 41.57, 120.45])
    ws.append([None, 41.0, 120.0])
    ws.merge_cells("A3:A4")
    wb.save(BAD / "xlsx_merged_cells.xlsx")
    # several sheets
    wb = openpyxl.Workbook()
    wb.active.title = "cities"
    wb.active.append(["name", "lat", "lon"])
    wb.active.append(["Tieling", 42.29, 123.84])
    wb.create_sheet("notes").append(["drafts"])
    wb.create_sheet("2016").append(["name", "lat", "lon"])
    wb.save(BAD / "xlsx_several_sheets.xlsx")
    # formula text in a cell, stored as a string (what Excel writes for '=HYPERLINK... typed as text)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "name", "city"])
    ws.append(["E24", "ok", "Shenyang"])
    ws.append(["E25", "x", "Dalian"])
    c = ws.cell(row=3, column=2)
    c.value = '=HYPERLINK("http://x","y")'
    c.data_type = "s"
    wb.save(BAD / "xlsx_formula_text.xlsx")
    # a bad value on sheet row 5 with a blank row 3: row numbers must be sheet rows
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["name", "lat", "lon"])
    ws.append(["Tieling", 42.29, 123.84])
    ws.append([])
    ws.append(["Chaoyang", 41.57, 120.45])
    ws.append(["Panjin", 95.0, 122.07])
    wb.save(BAD / "xlsx_lat_row5.xlsx")
    # a formula cell without a saved value (openpyxl writes formulas without one)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["city", "year", "culture_output"])
    ws.append(["Shenyang", 2017, 1.5])
    ws.append(["Dalian", 2017, "=B2*2"])
    wb.save(BAD / "xlsx_formula_no_value.xlsx")
    # good workbook (several sheets, pick with --sheet)
    wb = openpyxl.Workbook()
    wb.active.title = "readme"
    wb.active.append(["see sheet links"])
    ws = wb.create_sheet("links")
    ws.append(["from", "to", "frequency", "year"])
    ws.append(["Shenyang", "Anshan", 2, 2016])
    ws.append(["Fushun", "Shenyang", 1.5, 2016])
    wb.save(GOOD / "city_links_two_sheets.xlsx")
    for p in list(BAD.glob("*.xlsx")) + list(GOOD.glob("*.xlsx")):
        _normalize_zip(p)


def _normalize_zip(p: Path) -> None:
    """Fixed timestamps (zip entries and the workbook's created/modified properties) so that
    regenerating gives the same bytes."""
    if p.name == "not_a_zip.xlsx":
        return
    with zipfile.ZipFile(p) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    stamp = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
    items = [(n, stamp.sub(rb"\g<1>2020-01-01T00:00:00Z\g<2>", d) if n == "docProps/core.xml" else d)
             for n, d in items]
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)


def main() -> None:
    GOOD.mkdir(exist_ok=True)
    BAD.mkdir(exist_ok=True)
    for name, text in GOOD_TEXT.items():
        (GOOD / name).write_text(text, encoding="utf-8", newline="")
    # accepted variants of the cities file (different cities, so they can load beside the base)
    extra = "name,name_zh,province,lat,lon\nTieling,铁岭,Liaoning,42.286,123.842\nChaoyang,朝阳,Liaoning,41.573,120.450\n"
    (GOOD / "cities_gbk.csv").write_bytes(extra.encode("gbk"))
    (GOOD / "cities_utf8_bom.csv").write_bytes(b"\xef\xbb\xbf" + extra.encode())
    (GOOD / "cities_utf16_bom.tsv").write_bytes(extra.replace(",", "\t").encode("utf-16"))
    (GOOD / "cities_semicolon_crlf.csv").write_bytes(extra.replace(",", ";").replace("\n", "\r\n").encode())
    (GOOD / "cooperation_triples.txt").write_text(
        "% node partner frequency, as in the paper (undirected, duplicates summed)\n"
        "E01 E03 2\nE03 E01 1\nE02 E05 4\n", encoding="utf-8")
    (GOOD / "cities_all_sections.net").write_text(
        "% every Pajek section cultnet reads\r\n*Network liaoning\r\n*Vertices 4\r\n"
        '1 "Shenyang" 0.1 0.2 0.5 ic Red\r\n2 Dalian\r\n3 "Anshan"\r\n'
        "*arcs\r\n1 2 2.5 c Blue\r\n2 1 1\r\n*Edges\r\n3 4 2\r\n"
        "*Arcslist\r\n1 3 4\r\n*Edgeslist\r\n2 4\r\n", encoding="utf-8", newline="")
    for name, content in BAD_FILES.items():
        p = BAD / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8", newline="")
    write_xlsx()


if __name__ == "__main__":
    main()
