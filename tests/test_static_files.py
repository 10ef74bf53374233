"""Production static files: collectstatic with the hashed-manifest storage must succeed
(a vendored file referencing a missing source map once broke it)."""

import os
import subprocess
import sys
from pathlib import Path


def test_collectstatic_with_production_settings(tmp_path):
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "example.org",
           "SECRET_KEY": "collectstatic-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"}
    env.pop("DATABASE_URL", None)
    script = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'casework.settings');"
              "from django.conf import settings; django.setup();"
              f"settings.STATIC_ROOT = {str(tmp_path)!r};"
              "from django.core.management import call_command; call_command('collectstatic', '--noinput', '-v0')")
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parent.parent, env=env,
                            capture_output=True, text=True, timeout=600)  # ~50 s of CPU: compressing every file
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "staticfiles.json").exists()
    assert any(tmp_path.joinpath("js").glob("chart.umd.min.*.js"))


def test_the_favicon_is_found(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    from django.contrib.staticfiles import finders

    assert finders.find("img/favicon.svg")
