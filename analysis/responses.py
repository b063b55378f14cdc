"""The responses of a system to stimuli: one container for brains and networks.

A :class:`Responses` holds ``data`` with documented axes ``(n_stimuli, n_channels, n_reps)``
— channels are voxels or units, repetitions are the brain's repeated presentations (NaN where a
repetition was not shown; a network has one) — with the stimulus ids of its rows, the channel ids
of its columns (indices into the voxel axis of a prepared store, or unit indices of a layer) and
the system's identity as fields: :class:`BrainId` (subject, region, selection),
:class:`RecordingId` (a neural population recorded at sites, e.g. the out-of-domain analysis's
population) or :class:`NetworkId` (model, layer, trained flag, selection; ``control`` marks a
control presented as a network). Every identity says its ``kind`` ('brain', 'recording',
'network' or 'control') and whether it is ``noiseless``. Tables built from responses take
their identity columns from :meth:`SystemId.fields`, never from strings parsed back.

In the spirit of rsatoolbox's descriptor-carrying ``Dataset`` and Brain-Score's stimulus-id-keyed
assemblies, with plain NumPy underneath.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Union

import numpy as np

from analysis.errors import InputError


@dataclass(frozen=True)
class Selection:
    """How a system's channels were chosen: ``localizer`` statistic of ``category`` above
    ``threshold`` (all None: every channel, e.g. an early visual region or a whole layer)."""

    localizer: str | None = None
    category: str | None = None
    threshold: float | None = None

    def fields(self) -> dict[str, object]:
        return {"localizer": self.localizer, "category": self.category,
                "threshold": self.threshold}


@dataclass(frozen=True)
class BrainId:
    """A subject's region (e.g. subject 1, FFA, fLOC faces t > 7)."""

    subject: int | str
    region: str
    selection: Selection = field(default_factory=Selection)
    #: brains are measured with noise: reliability is estimated from repetitions
    noiseless: ClassVar[bool] = False
    kind: ClassVar[str] = "brain"

    def fields(self) -> dict[str, object]:
        return {"subject": self.subject, "region": self.region}

    def label(self) -> str:
        return f"S{self.subject} {self.region}"


@dataclass(frozen=True)
class NetworkId:
    """Units of a network layer (e.g. effnet_lite0, blocks.6, fLoc faces t > 7, trained)."""

    model: str
    layer: str
    trained: bool
    selection: Selection = field(default_factory=Selection)
    #: a control presented as a network (a noise-free simulated brain, a shuffled network)
    control: bool = False
    #: a network's response to a stimulus is deterministic
    noiseless: ClassVar[bool] = True

    @property
    def kind(self) -> str:
        return "control" if self.control else "network"

    def fields(self) -> dict[str, object]:
        return {"model": self.model, "layer": self.layer, "trained": self.trained,
                "units": self.selection.category or "all"}

    def label(self) -> str:
        return self.model


@dataclass(frozen=True)
class RecordingId:
    """A neural population recorded (or simulated) at sites, e.g. the out-of-domain
    analysis's population: repeated presentations, measured with noise."""

    name: str
    sites: str = "sites"
    noiseless: ClassVar[bool] = False
    kind: ClassVar[str] = "recording"

    def fields(self) -> dict[str, object]:
        return {"recording": self.name, "sites": self.sites}

    def label(self) -> str:
        return self.name


SystemId = Union[BrainId, NetworkId, RecordingId]


def as_brain(system: SystemId) -> BrainId:
    """``system`` as a brain's identity; TypeError for a network's."""
    if not isinstance(system, BrainId):
        raise TypeError(f"{system} is not a brain")
    return system


def as_network(system: SystemId) -> NetworkId:
    """``system`` as a network's identity; TypeError for a brain's."""
    if not isinstance(system, NetworkId):
        raise TypeError(f"{system} is not a network")
    return system


@dataclass(frozen=True, eq=False)
class Responses:
    """``data`` (n_stimuli, n_channels, n_reps) float of one system, rows keyed by ``stimuli``
    and columns by ``channels``."""

    data: np.ndarray
    stimuli: np.ndarray
    channels: np.ndarray
    system: SystemId

    def __post_init__(self) -> None:
        if self.data.ndim != 3:
            raise ValueError(f"{self.system}: data must be (stimuli, channels, reps), got "
                             f"shape {self.data.shape}")
        if len(self.stimuli) != self.data.shape[0] or len(self.channels) != self.data.shape[1]:
            raise ValueError(f"{self.system}: {len(self.stimuli)} stimulus ids and "
                             f"{len(self.channels)} channel ids for data of shape "
                             f"{self.data.shape}")

    @classmethod
    def from_network(cls, acts: np.ndarray, stimuli: np.ndarray, channels: np.ndarray,
                     system: NetworkId) -> Responses:
        """Wrap (n_stimuli, n_units) activations (one 'repetition')."""
        return cls(np.asarray(acts)[:, :, None], np.asarray(stimuli), np.asarray(channels),
                   system)

    @property
    def n_stimuli(self) -> int:
        return self.data.shape[0]

    @property
    def n_channels(self) -> int:
        return self.data.shape[1]

    @property
    def n_reps(self) -> int:
        return self.data.shape[2]

    def mean(self) -> np.ndarray:
        """(n_stimuli, n_channels): the mean over repetitions (NaN repetitions ignored)."""
        if self.n_reps == 1:
            return self.data[:, :, 0]
        return np.nanmean(self.data, axis=2)

    def take(self, channels: np.ndarray) -> Responses:
        """The responses of a subset of channels (a boolean mask or positions)."""
        return Responses(self.data[:, channels], self.stimuli, self.channels[channels],
                         self.system)

    def on(self, stimuli: np.ndarray) -> Responses:
        """These responses on ``stimuli``, in their order; InputError naming the first
        stimulus id the system has no response to."""
        pos = {s: k for k, s in enumerate(self.stimuli.tolist())}
        absent = [s for s in stimuli.tolist() if s not in pos]
        if absent:
            raise InputError(f"{self.system} has no response to stimulus {absent[0]!r} "
                             f"({len(absent)} missing): rerun the stage that writes it")
        rows = np.array([pos[s] for s in stimuli.tolist()], dtype=np.int64)
        return Responses(self.data[rows], np.asarray(stimuli), self.channels, self.system)

    def relabel(self, system: SystemId) -> Responses:
        return Responses(self.data, self.stimuli, self.channels, system)


def aligned(r: Responses, stimuli: np.ndarray) -> Responses | None:
    """``r`` on ``stimuli``, in their order (:meth:`Responses.on`); None when it lacks one of
    them (a system that was not shown these images)."""
    if not set(stimuli.tolist()) <= set(r.stimuli.tolist()):
        return None
    return r.on(stimuli)


def check_aligned(systems: list[Responses]) -> None:
    """Every system must describe the same stimuli in the same order (the comparison pairs
    rows by position); raises InputError naming the first system that does not."""
    if not systems:
        return
    ref = systems[0]
    for r in systems[1:]:
        if not np.array_equal(r.stimuli, ref.stimuli):
            raise InputError(f"{r.system} and {ref.system} respond to different stimuli (or in "
                             "another order); rerun `dvc repro` so both come from the same "
                             "design and parameters")
