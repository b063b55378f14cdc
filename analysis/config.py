"""Read and validate params.yaml into typed parameters; resolve tier-dependent inputs.

Every block of params.yaml is checked (pydantic, strict types, no unknown keys) before a stage
loads any data. A bad value raises :class:`ParameterError` naming the key, the value and what is
allowed, e.g. ``comparison.n_boot = 'many': Input should be a valid integer``. Cross-block rules
(every model in ``models`` is a runnable ``zoo`` entry with a preprocessing configuration, every
ROI is defined, ...) are checked the same way.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    create_model,
    model_validator,
)

from analysis import paths
from analysis.errors import ParameterError
from analysis.hashing import file_digest
from analysis.vocabulary import FLOC_DOMAINS

#: Categories a voxel contrast or a unit localizer can select for: NSD's fLOC domains.
DOMAINS = FLOC_DOMAINS

def _threshold(value: Any) -> int | float:
    """A t-threshold: a finite number >= 0 (an int stays an int, as written)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value < 0:
        raise ValueError("must be a finite number >= 0 (a t value, e.g. 7)")
    return value


#: Bootstrap replicates an interval needs beyond each of its ends (see _bootstrap_problems).
TAIL_REPLICATES = 5

Threshold = Annotated[int | float, PlainValidator(_threshold),
                      WithJsonSchema({"type": "number", "minimum": 0, "finite": True})]
Probability = Annotated[float, Field(gt=0, lt=1)]
Positive = Annotated[int, Field(gt=0)]
#: A subject id: any positive integer (the tier's dataset says which exist: NSD has 1-8).
Subject = Annotated[int, Field(ge=1)]
if TYPE_CHECKING:  # a str to the type checker; pydantic checks it is one of DOMAINS
    Domain = str
else:
    Domain = Literal[DOMAINS]


class Block(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class RoiDefinition(Block):
    volume: str
    labels: Annotated[list[int], Field(min_length=1)]
    contrast: Domain | None


class NsdSource(Block):
    root: str
    sessions_per_subject: list[Positive]
    trials_per_session: Positive


class Simulate(Block):
    sessions_per_subject: list[Positive]
    trials_per_session: Positive
    n_shared: Positive
    n_own: Positive
    grid: Annotated[list[Positive], Field(min_length=3, max_length=3)]
    image_size: Positive
    noise_sd: list[Annotated[float, Field(gt=0, allow_inf_nan=False)]]
    idiosyncrasy: Annotated[float, Field(ge=0, le=1)]
    image_strength_sd: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    control_unit_scale_sd: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    floc_images_per_subcategory: Positive
    localizer2_images_per_category: Positive
    identities: Annotated[int, Field(ge=2)]
    images_per_identity: Annotated[int, Field(ge=2)]
    floc_runs: Annotated[int, Field(ge=2)]
    floc_noise_sd: Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Preprocessing(Block):
    input_size: Positive
    interpolation: Literal["bicubic", "bilinear", "nearest"]
    crop_pct: Annotated[float, Field(gt=0, le=1)]
    crop_mode: Literal["center", "squash", "border"]


class Lesion(Block):
    layer: str     # kernels silenced one at a time (and ranked by each selectivity metric)
    readout: str   # face identity is decoded from this later module's output (pooled)


Triple = Annotated[list[Annotated[float, Field(allow_inf_nan=False)]],
                   Field(min_length=3, max_length=3)]


@functools.lru_cache(maxsize=64)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    """sha256 of a file, once per process for the same path, mtime and size."""
    return file_digest(path)


class ZooEntry(Block):
    display: str
    source: Literal["timm", "torchvision", "checkpoint", "pypi_package", "onnx", "unavailable"]
    trained: bool
    layers: dict[Domain, str]
    seed: int | None = None
    preprocessing: str | None = None
    read: list[str] | None = None
    response: Literal["rectified", "signed"] = "rectified"
    published: dict[Domain, str] | None = None
    needs: str | None = None
    id: str | None = None
    weights: str | None = None
    weights_file: str | None = None
    arch: str | None = None
    url: str | None = None
    package: str | None = None
    file: str | None = None
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    key_map: Literal["lukemelas_to_timm"] | None = None
    state_key: str | None = None
    key_prefix: str | None = None
    input_mean: Triple | None = None
    input_std: Triple | None = None
    lesion: Lesion | None = None
    penultimate: str | None = None
    licence: str | None = None
    paper: Literal["trained", "untrained", "layer_table"] | None = None

    @model_validator(mode="after")
    def _source_fields(self) -> ZooEntry:
        need = {"timm": ("id",), "torchvision": ("id",), "checkpoint": ("arch", "url"),
                "pypi_package": ("arch", "package", "file"),
                "onnx": ("file", "sha256", "input_mean", "input_std"),
                "unavailable": ("needs",)}
        missing = [f for f in need[self.source] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"source {self.source} needs {missing}")
        if self.weights_file is not None:
            if self.source not in ("timm", "torchvision"):
                raise ValueError(f"weights_file is for timm and torchvision architectures, "
                                 f"not source {self.source}")
            if self.sha256 is None:
                raise ValueError("weights_file needs its sha256 (sha256sum FILE)")
        return self

    def weights_path(self) -> Path | None:
        """The local file this entry's weights are read from, if any: ``weights_file``
        (relative to the repository root), an ONNX ``file`` (inside ``package`` when one is
        given, else relative to the repository root), or a ``pypi_package`` file. None for
        hub downloads and random initialisation."""
        if self.weights_file is not None and self.trained:
            return Path(self.weights_file)
        if self.source in ("onnx", "pypi_package") and (self.source == "onnx" or self.trained):
            assert self.file is not None  # _source_fields
            if self.package is None:
                return Path(self.file)
            spec = importlib.util.find_spec(self.package)
            if spec is None or spec.origin is None:
                raise ParameterError(f"package '{self.package}' is not installed; it is in "
                                     "requirements.lock: run `make env`")
            return Path(spec.origin).parent / self.file
        return None

    def weights_problem(self, key: str) -> str | None:
        """Why this entry's local weights file cannot be used (missing, or not the declared
        bytes), naming the entry, the file and the expected sha256; None when it can."""
        path = self.weights_path()
        if path is None or self.sha256 is None:
            return None
        if not path.is_file():
            return (f"zoo.{key}: weights file {path} not found (expected sha256 "
                    f"{self.sha256}); put the file there or fix the path in zoo.yaml")
        found = _digest(str(path.resolve()), path.stat().st_mtime_ns, path.stat().st_size)
        if found != self.sha256:
            return (f"zoo.{key}: weights file {path} has sha256 {found}, expected "
                    f"{self.sha256} (zoo.yaml): not the declared file")
        return None

    def architecture(self) -> str:
        """The architecture and preprocessing, which matched networks share: the model name
        without a pretrained tag (timm's '.tag'), from `arch` or `id`, or an ONNX entry's file
        (an entry with none of these matches no other: its display name)."""
        name = self.arch or self.id or (self.file if self.source == "onnx" else None)
        return f"{(name or self.display).split('.')[0]}|{self.preprocessing}"

    def layers_to_read(self) -> list[str]:
        """Layers to extract: `read` if given, else the per-category layers (unique, ordered)."""
        return list(dict.fromkeys(self.read or list(self.layers.values())))


class Extraction(Block):
    batch_size: Positive
    device: Annotated[str, Field(pattern=r"^(auto|cpu|cuda(:\d+)?)$")]


class UnitLocalizer(Block):
    threshold_untrained: Threshold | None
    conjunction_alpha: Probability
    generalisation_alpha: Probability
    generalisation_draws: Positive
    overlap_subsamples: Positive
    overlap_permutations: Positive
    overlap_alpha: Probability
    top_k: Positive
    bootstrap_draws: Annotated[int, Field(ge=20)]
    seed: int

    @model_validator(mode="after")
    def _enough_draws(self) -> UnitLocalizer:
        problems = [f"unit_localizer.{draws} = {getattr(self, draws)}: the smallest p it can "
                    f"give, 1/({getattr(self, draws)} + 1), must be below unit_localizer.{alpha}"
                    f" = {getattr(self, alpha)}"
                    for draws, alpha in (("generalisation_draws", "generalisation_alpha"),
                                         ("overlap_permutations", "overlap_alpha"))
                    if 1 / (getattr(self, draws) + 1) >= getattr(self, alpha)]
        if problems:
            raise ValueError("; ".join(problems))
        return self

class Metrics(Block):
    lesion_models: list[str]
    identity_set: Literal["faces_identity"]
    svm_C: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    seed: int
    min_decoding_kernels: Positive
    null_permutations: Positive


class Comparison(Block):
    rdm_similarity: Literal["pearson", "spearman"]
    rdm_distance: Literal["crossval_euclidean", "correlation"]
    # percentile intervals and the bias estimate need replicates in the tails
    n_boot: Annotated[int, Field(ge=100)]
    ci_level: Probability
    equivalence_margin: Annotated[float, Field(gt=0, lt=1)]
    equivalence_level: Probability
    seed: int


class CocoRulesBlock(Block):
    close_area: Annotated[float, Field(gt=0)]
    exposed_words: Annotated[list[str], Field(min_length=1)]
    covered_words: Annotated[list[str], Field(min_length=1)]


class Annotations(Block):
    hand_labels: str | None
    coco: CocoRulesBlock


class Validation(Block):
    null_worlds: Annotated[int, Field(ge=20)]
    planted_worlds: Annotated[int, Field(ge=20)]
    control_worlds: Annotated[int, Field(ge=1)]
    n_boot: Annotated[int, Field(ge=100)]
    seed: int
    localizer_worlds: Annotated[int, Field(ge=20)]
    localizer_network_draws: Annotated[int, Field(ge=1)]
    localizer_realisations: Annotated[int, Field(ge=3)]
    divergence_worlds: Annotated[int, Field(ge=20)]
    divergence_planted_worlds: Annotated[int, Field(ge=10)]


class Robustness(Block):
    thresholds: Annotated[list[Threshold], Field(min_length=1)]
    localizers: Annotated[list[Literal["floc", "localizer2"]], Field(min_length=1)]
    n_boot: Annotated[int, Field(ge=100)]


class Manuscript(Block):
    """The manuscript's title and author line (LaTeX text)."""

    title: Annotated[str, Field(min_length=1)]
    authors: Annotated[str, Field(min_length=1)]


class Params(Block):
    """params.yaml but the registered analyses' blocks, which :func:`params_model` adds (see
    the file's comments for the meaning of each key)."""

    tier: Literal["demo", "public", "nsd"]
    threshold: Threshold
    seed: int
    subjects: Annotated[list[Subject], Field(min_length=1)]
    rois: Annotated[list[str], Field(min_length=1)]
    roi_definitions: dict[str, RoiDefinition]
    categories: Annotated[list[Domain], Field(min_length=1)]
    shared_images: Literal["shared515", "shared_any"]
    beta_format: Literal["auto", "hdf5", "nifti"]
    nsd: NsdSource
    simulate: Simulate
    stimulus_sets: list[Literal["floc", "localizer2", "faces_identity"]]
    supplementary_sets: list[Literal["kriegeskorte92"]]
    models: Annotated[list[str], Field(min_length=1)]
    preprocessing: dict[str, Preprocessing]
    zoo: dict[str, ZooEntry]
    extraction: Extraction
    unit_localizer: UnitLocalizer
    metrics: Metrics
    comparison: Comparison
    robustness: Robustness
    validation: Validation
    annotations: Annotations
    manuscript: Manuscript

    @model_validator(mode="after")
    def _consistent(self) -> Params:
        problems = []
        for key, values in (("subjects", self.subjects), ("rois", self.rois),
                            ("categories", self.categories), ("models", self.models)):
            if len(set(values)) != len(values):
                problems.append(f"{key} = {values}: list each entry once")
        unknown = [r for r in self.rois if r not in self.roi_definitions]
        if unknown:
            problems.append(f"rois = {self.rois}: {unknown} not in roi_definitions "
                            f"(known: {sorted(self.roi_definitions)})")
        if not unknown and not self.compared_regions():
            problems.append(
                f"rois = {self.rois}: none is a category-selective region of categories = "
                f"{self.categories} (a roi_definitions entry whose contrast is one of them, "
                "e.g. FFA), which the comparison, encoding and divergence analyses all "
                "need: add one to rois")
        block = "nsd" if self.tier == "nsd" else "simulate"  # the tier's brain dataset
        n = len(getattr(self, block).sessions_per_subject)
        if n < max(self.subjects):
            problems.append(f"{block}.sessions_per_subject lists {n} subjects; subjects "
                            f"go up to {max(self.subjects)}")
        if block == "simulate" and len(self.simulate.noise_sd) < max(self.subjects):
            problems.append(f"simulate.noise_sd lists {len(self.simulate.noise_sd)} subjects; "
                            f"subjects go up to {max(self.subjects)}")
        for key in ("floc", "localizer2", self.metrics.identity_set):
            if key not in self.stimulus_sets:
                problems.append(f"stimulus_sets = {self.stimulus_sets}: '{key}' is needed "
                                "(unit localizers, generalisation, identity decoding)")
        for m in self.models:
            problems += self._runnable("models", m)
        for m in self.metrics.lesion_models:
            entry = self.zoo.get(m)
            if entry is None:
                problems.append(f"metrics.lesion_models: '{m}' is not a key of zoo")
            elif entry.lesion is None:
                problems.append(f"metrics.lesion_models: zoo.{m} has no `lesion` block (the "
                                "layer whose kernels are silenced and the readout module)")
            elif entry.lesion.layer not in entry.layers_to_read():
                problems.append(f"zoo.{m}.lesion.layer = {entry.lesion.layer!r} is not read "
                                f"(zoo.{m}.read: {entry.layers_to_read()})")
        problems += self._bootstrap_problems() + self._divergence_problems()
        if problems:
            raise ValueError("; ".join(dict.fromkeys(problems)))
        return self

    def _bootstrap_problems(self) -> list[str]:
        """Percentile intervals need replicates beyond each end: at least TAIL_REPLICATES
        in each tail of every interval a bootstrap count is used for."""
        c, out = self.comparison, []
        for key, n in (("comparison.n_boot", c.n_boot), ("robustness.n_boot",
                                                          self.robustness.n_boot),
                       ("validation.n_boot", self.validation.n_boot)):
            for level_key, level in (("comparison.ci_level", c.ci_level),
                                     ("comparison.equivalence_level", c.equivalence_level)):
                need = math.ceil(TAIL_REPLICATES / ((1 - level) / 2) - 1e-9)
                if n < need:
                    out.append(f"{key} = {n}: a {level:g} interval ({level_key}) needs >= "
                               f"{need} replicates ({TAIL_REPLICATES} beyond each end): raise "
                               f"{key} or lower {level_key}")
        return out

    def _divergence_problems(self) -> list[str]:
        # the registered divergence block (analysis/analyses/divergence/params.py) against
        # the other blocks; none without it
        d: Any = getattr(self, "divergence", None)
        out: list[str] = []
        if d is None:
            return out
        for category, pair in d.diagnostics.items():  # label names: checked by the stage
            if pair[0] == pair[1]:
                out.append(f"divergence.diagnostics.{category} = {pair}: two different labels")
        missing = [c for c in self.categories if c not in d.diagnostics]
        if missing:
            out.append(f"divergence.diagnostics has no contrast for categories {missing}")
        # the parts are intersected with `subjects` and `models` (a run on fewer keeps its
        # split); the discovery part must not be empty
        if not set(d.discovery_subjects) & set(self.subjects):
            out.append(f"divergence.discovery_subjects = {d.discovery_subjects}: none of them "
                       f"is in subjects = {self.subjects}")
        if not set(d.discovery_models) & set(self.models):
            out.append(f"divergence.discovery_models = {d.discovery_models}: none of them is "
                       f"in models = {self.models}")
        untrained = [m for m in d.discovery_models if m in self.zoo and not self.zoo[m].trained]
        if untrained:
            out.append(f"divergence.discovery_models = {d.discovery_models}: {untrained} are "
                       "untrained (the hypotheses are about trained networks)")
        return out

    def _runnable(self, key: str, model: str) -> list[str]:
        entry = self.zoo.get(model)
        if entry is None:
            return [f"{key}: '{model}' is not a key of zoo"]
        if entry.source == "unavailable":
            return [f"{key}: zoo.{model} is unavailable offline ({entry.needs})"]
        out = []
        if entry.preprocessing is None:
            out.append(f"zoo.{model}.preprocessing is not set: add `preprocessing: <name>` "
                       f"to zoo.{model}, naming an entry of params.yaml's preprocessing block "
                       f"(known: {sorted(self.preprocessing)}) or a new entry written there "
                       "from the model's published input size, interpolation and crop")
        elif entry.preprocessing not in self.preprocessing:
            out.append(f"zoo.{model}.preprocessing = {entry.preprocessing!r} is not a key of "
                       f"preprocessing (known: {sorted(self.preprocessing)})")
        missing = [c for c in self.categories if c not in entry.layers]
        if missing:
            out.append(f"zoo.{model}.layers has no layer for categories {missing}")
        weights = entry.weights_problem(model)
        if weights:
            out.append(weights)
        return out

    def lesioned(self) -> list[str]:
        """The models of metrics.lesion_models that run (are in `models`), in that order."""
        return [m for m in self.metrics.lesion_models if m in self.models]

    def lesion_layers(self) -> dict[str, str]:
        """Model of `models` -> the layer the metrics study ranks, lesions and decodes from:
        its own `lesion` layer, else that of a zoo entry of the same architecture (an untrained
        network is compared at its trained counterpart's layer); models with neither absent."""
        by_arch = {e.architecture(): e.lesion.layer for e in self.zoo.values() if e.lesion}
        out = {}
        for m in self.models:
            e = self.zoo[m]
            layer = e.lesion.layer if e.lesion else by_arch.get(e.architecture())
            if layer is not None:
                out[m] = layer
        return out

    # --- derived values used by several stages -------------------------------------------
    def compared_regions(self) -> dict[str, str]:
        """Region -> category for every ROI in `rois` whose fLOC contrast is one of
        `categories`, grouped by category (in `categories` order), then in `rois` order."""
        return {r: c for c in self.categories for r in self.rois
                if self.roi_definitions[r].contrast == c}

    def main_region(self, category: str) -> str | None:
        """The first compared region of a category (shown in the main figures)."""
        return next((r for r, c in self.compared_regions().items() if c == category), None)

    def unit_threshold(self, trained: bool) -> float:
        """The localizer threshold for a trained or untrained network."""
        t = self.unit_localizer.threshold_untrained
        return float(self.threshold if trained or t is None else t)

    def trained_models(self) -> list[str]:
        """The trained networks of `models`, in order (the encoding analyses use these)."""
        return [m for m in self.models if self.zoo[m].trained]

    def layer(self, model: str, category: str) -> str:
        """The zoo's (published) layer of a model for a category."""
        return self.zoo[model].layers[category]


def params_model() -> type[Params]:
    """:class:`Params` with the block of every registered analysis (analysis.registry) under
    its name: the schema params.yaml is validated against."""
    from analysis import registry

    return _with_blocks(tuple((a.params_key, a.params) for a in registry.analyses()))


@functools.cache
def _with_blocks(blocks: tuple[tuple[str, type[Block]], ...]) -> type[Params]:
    fields: dict[str, Any] = {name: (block, ...) for name, block in blocks}
    return create_model("Params", __base__=Params, **fields)


def _describe(err: Mapping[str, Any]) -> list[str]:
    """One line per problem: 'key = value: what is wrong (what is allowed)'."""
    key = ".".join(str(part) for part in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    if not key:  # a rule across blocks: its messages name their keys
        return msg.split("; ")
    shown = err["input"] if not isinstance(err["input"], (dict, list)) or len(
        repr(err["input"])) < 80 else "..."
    return [f"{key} = {shown!r}: {msg}"]


def _file_of(problem: str, path: Path | str, zoo: Path | str) -> Path | str:
    """The file a problem's value lives in: the zoo file for zoo.* keys, else params.yaml."""
    return zoo if re.match(r"zoo\b", problem) else path


def validate(raw: Any, path: Path | str = paths.PARAMS, zoo: Path | str = paths.ZOO
             ) -> Params:
    """Typed parameters from the parsed YAML; ParameterError lists every problem, each
    prefixed with the file its value lives in (``path``, or ``zoo`` for zoo.* keys)."""
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: expected a mapping of parameters, got {type(raw).__name__}")
    try:
        return params_model().model_validate(raw)
    except ValidationError as exc:
        lines = [line for e in exc.errors(include_url=False) for line in _describe(e)]
        problems = "\n  ".join(f"{_file_of(line, path, zoo)}: {line}" for line in lines)
        raise ParameterError(f"invalid parameters\n  {problems}") from None


def load_params(path: str | Path = paths.PARAMS) -> Params:
    """Load and validate the parameter file and the model zoo beside it (zoo.yaml)."""
    path = Path(path)
    zoo = path.with_name(paths.ZOO.name)
    for f in (path, zoo):
        if not f.is_file():
            raise ParameterError(f"{f} not found; run from the repository root")
    raw = yaml.safe_load(path.read_text())
    if isinstance(raw, dict) and "zoo" in raw:
        raise ParameterError(f"{path}: the model zoo belongs in {zoo}, not in the parameters")
    zoo_raw = yaml.safe_load(zoo.read_text())
    if not isinstance(zoo_raw, dict) or set(zoo_raw) != {"zoo"}:
        raise ParameterError(f"{zoo}: expected one top-level key 'zoo' (the model entries)")
    return validate({**raw, **zoo_raw} if isinstance(raw, dict) else raw, path, zoo)


@dataclass(frozen=True)
class BrainSource:
    """Where the NSD-format brain data of the current tier live, and their session counts."""

    root: Path
    sessions_per_subject: dict[int, int]
    trials_per_session: int
    synthetic: bool


def brain_source(params: Params) -> BrainSource:
    """The real NSD for tier 'nsd'; the simulated miniature NSD otherwise."""
    block: NsdSource | Simulate
    if params.tier == "nsd":
        block, root, synthetic = params.nsd, Path(params.nsd.root), False
    else:
        block, root, synthetic = params.simulate, paths.DEMO_NSD, True
    sessions = block.sessions_per_subject
    return BrainSource(root, {s: int(sessions[s - 1]) for s in params.subjects},
                       int(block.trials_per_session), synthetic)
