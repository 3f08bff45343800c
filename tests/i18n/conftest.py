from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import LazySettings

from tests.support import pseudo


@pytest.fixture(scope="session")
def pseudo_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pseudo.build(tmp_path_factory.mktemp("pseudo-locale"))


@pytest.fixture
def pseudo_german(settings: LazySettings, pseudo_catalogue: Path) -> str:
    """German, as the pseudo-translation: every marked string comes out as ⟦English ŵŵŵ⟧."""
    settings.LOCALE_PATHS = [pseudo_catalogue]
    return pseudo.LANGUAGE
