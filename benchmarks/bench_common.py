"""What the benchmark scripts share: Odoo's addons path, percentiles, bulk loading with COPY."""

import io
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo18"))


def addons_path():
    """Odoo's addons (a git checkout keeps most of them in ``addons/``) and ours."""
    paths = [ODOO_SRC / "addons", ODOO_SRC / "odoo" / "addons", ROOT]
    return ",".join(str(path) for path in paths if path.is_dir())


def percentile(values, fraction):
    """The value below which ``fraction`` of ``values`` fall (nan when there are none)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else float("nan")


def copy_rows(cr, table, columns, rows):
    """Load ``rows`` (tuples in the order of ``columns``; None is NULL) into ``table`` with one COPY."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(r"\N" if value is None else str(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    cr._obj.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
