"""The lab's topics, declared once: one `Topic` line per page, in the course's order.

Every list of topics derives from `TOPICS`: the navigation (ui.pages), the pages whose runs are saved
(core.runs), the `train.py` of a run zip (core.run_export), and the nav strings' keys, which a test checks.
Names of code are "module:attribute" strings, imported only when asked for, so that importing this module
costs nothing and imports no topic (core.runs reads it, and every topic module imports core.runs).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """What "reached the page's target" means for the teacher's progress grid (core.presence), as data:
    an epoch record of a run whose `metric` is at least `at_least` (or at most `at_most`); with no metric,
    a run that finished ("done"). The metrics are the keys the topic's loop puts in its epoch records."""

    metric: str = ""  # a key of the topic's epoch records ("" : the run finishing is the target)
    at_least: float | None = None
    at_most: float | None = None

    def reached(self, state: str, epochs_log: list[dict]) -> bool:
        """Whether a job in `state` with these non-step records reached the target."""
        if not self.metric:
            return state == "done"
        for rec in epochs_log:
            value = rec.get(self.metric) if rec.get("kind") == "epoch" else None
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:  # NaN
                continue
            if (self.at_least is None or value >= self.at_least) and (
                self.at_most is None or value <= self.at_most
            ):
                return True
        return False


FINISHED = Target()  # a generative run (or a queue of runs) that ran to its end


@dataclass(frozen=True)
class Topic:
    key: str  # the URL path, app_pages/<key>.py, the runs/ page, the session's job key, the widgets' prefix
    part: int  # the course's part 1..3; 4: the class's own pages (the class board, the teacher's view)
    icon: str  # the navigation's Material icon
    trains: bool = False  # students train on it: it has a job, saved runs and a runs/ folder
    config: str = ""  # "module:Class", the frozen dataclass of a run's settings
    family: str = ""  # the saved model's family (core.models), where one family is the only right one
    export: str = ""  # "module:function(config, model_config) -> constants" for export_scripts/<key>.tmpl
    core: tuple[str, ...] = ()  # its core modules, where they are not core/<key>.py (the default)
    target: Target | None = None  # what the teacher's progress grid counts as this page's goal reached

    @property
    def page_file(self) -> str:
        """The page script, relative to the repository root (as st.Page and AppTest want it)."""
        return f"app_pages/{self.key}.py"

    @property
    def template(self) -> str:
        """The file name of the run zip's train.py template in core/export_scripts/ ("" for none)."""
        return f"{self.key}.tmpl" if self.export else ""

    @property
    def core_modules(self) -> tuple[str, ...]:
        """The topic's own modules in core/ (dotted names): no other topic imports them."""
        return self.core or (f"core.{self.key}",)

    def config_class(self) -> type:
        return _resolve(self.config)

    def export_constants(self):
        return _resolve(self.export)

    def export_companion(self, name: str):
        """`name` of the module that holds the export function (a topic's optional extras), or None."""
        module = self.export.partition(":")[0]
        return getattr(importlib.import_module(module), name, None) if module else None


def _resolve(name: str):
    module, _, attr = name.partition(":")
    if not (module and attr):
        raise LookupError(f"no such code: {name!r}")
    return getattr(importlib.import_module(module), attr)


TOPICS: tuple[Topic, ...] = (
    Topic("tensors", 1, ":material/grid_on:", core=("core.tensor_lab",)),
    Topic("xor", 1, ":material/hub:", True, "core.xor:XORConfig", "mlp.MLP", "core.xor:script_constants", target=Target("train_acc", at_least=1.0)),
    Topic("cnn", 2, ":material/draw:", True, "core.cnn:CNNTrainConfig", "cnn.MNISTCNN", "core.cnn:script_constants", target=Target("val_acc", at_least=0.95)),
    Topic("hyperparams", 2, ":material/tune:", True, "core.experiments:Settings", "cnn.MNISTCNN", "core.experiments:script_constants", core=("core.experiments", "core.experiment_runs"), target=FINISHED),
    Topic("cifar", 2, ":material/photo_library:", True, "core.cifar:CifarConfig", "", "core.cifar:script_constants", target=Target("test_acc", at_least=0.8)),
    Topic("sequence", 2, ":material/timeline:", True, "core.sequence:SequenceConfig", "sequence.SequenceNet", "core.sequence:script_constants", target=FINISHED),
    Topic("transfer", 2, ":material/swap_horiz:", True, "core.transfer:TransferConfig", "cnn.MNISTCNN", "core.transfer:script_constants", target=Target("test_accuracy", at_least=0.9)),
    Topic("keeping", 2, ":material/save:", core=("core.model_io",)),
    Topic("gan", 3, ":material/auto_awesome:", True, "core.gan:GanConfig", "gan.Generator", "core.gan:script_constants", target=FINISHED),
    Topic("cgan", 3, ":material/filter_9_plus:", True, "core.gan:GanConfig", "gan.CondGenerator", "core.gan:cgan_script_constants", core=("core.gan",), target=FINISHED),
    Topic("vae", 3, ":material/scatter_plot:", True, "core.vae:VAEConfig", "", "core.vae:script_constants", target=FINISHED),
    Topic("diffusion", 3, ":material/blur_on:", True, "core.diffusion:DiffusionConfig", "diffusion.UNet", "core.diffusion:script_constants", target=FINISHED),
    Topic("attention", 3, ":material/visibility:", True, "core.attention:AttentionConfig", "gpt.GPT", "core.attention:script_constants", target=FINISHED),
    Topic("board", 4, ":material/leaderboard:"),
    Topic("teacher", 4, ":material/co_present:"),
)  # fmt: skip

BY_KEY = {t.key: t for t in TOPICS}
TRAINED = tuple(t.key for t in TOPICS if t.trains)  # the pages whose runs are saved to runs/


def topic(key: str) -> Topic:
    """The topic `key` (KeyError for one that is not declared)."""
    return BY_KEY[key]
