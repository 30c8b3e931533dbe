"""Table specifications and deterministic writing.

A table is declared once, as a :class:`Table`: its schema (the fields), its
documentation and the function that builds its rows. From that single
declaration the generator writes the CSV file, the resource in
``datapackage.json`` and the data dictionary in ``README.md``.

Every table has its own seed, so changing one table never changes another
(except a table that is explicitly built from another one, such as the events
of the users in ``product_users``; such a dependency is declared with
``ctx.table(name)`` inside the builder).
"""

from __future__ import annotations

import gzip
import io
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

# strings that pandas.read_csv turns into NaN by default (besides the empty cell)
PANDAS_NA_TOKENS = {"#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
                    "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
TYPES = ("string", "integer", "number", "boolean", "date", "datetime")


@dataclass
class Field:
    """One column: its Frictionless schema plus how to write it."""

    name: str
    type: str
    description: str
    unit: str | None = None
    required: bool = False
    enum: list | None = None
    minimum: float | int | None = None
    maximum: float | int | None = None
    unique: bool = False
    fmt: str = "{:.2f}"  # only for type == "number"
    allowed: str | None = None  # extra human text for the README

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"{self.name}: unsupported type {self.type}")

    def schema(self) -> dict:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "description": self.description,
        }
        if self.unit:
            out["unit"] = self.unit
        cons: dict[str, Any] = {}
        if self.required:
            cons["required"] = True
        if self.unique:
            cons["unique"] = True
        if self.enum is not None:
            cons["enum"] = list(self.enum)
        if self.minimum is not None:
            cons["minimum"] = self.minimum
        if self.maximum is not None:
            cons["maximum"] = self.maximum
        if cons:
            out["constraints"] = cons
        return out

    def format_column(self, s: pd.Series) -> pd.Series:
        """Render a column as text exactly as it goes into the CSV."""
        isna = s.isna().to_numpy()
        if self.type == "string":
            out = pd.Series(np.where(isna, "", s.astype(object).astype(str)), index=s.index)
        elif self.type == "integer":
            out = s.astype(object).map(lambda v: "" if _na(v) else str(int(v)))
        elif self.type == "number":
            fmt = self.fmt
            out = s.astype(object).map(lambda v: "" if _na(v) else _num(fmt, v))
        elif self.type == "boolean":
            out = s.astype(object).map(
                lambda v: "" if _na(v) else ("true" if bool(v) else "false")
            )
        else:  # date or datetime
            pattern = "%Y-%m-%d" if self.type == "date" else "%Y-%m-%dT%H:%M:%S"
            txt = pd.to_datetime(s).dt.strftime(pattern)
            out = pd.Series(np.where(isna, "", txt.astype(object)), index=s.index)
        return out.astype(object)

    def allowed_text(self) -> str:
        if self.allowed:
            return self.allowed
        if self.enum is not None:
            return ", ".join(_fmt_enum(v) for v in self.enum)
        if self.minimum is not None or self.maximum is not None:
            lo = "" if self.minimum is None else str(self.minimum)
            hi = "" if self.maximum is None else str(self.maximum)
            return f"{lo} to {hi}".strip() if lo and hi else (f">= {lo}" if lo else f"<= {hi}")
        if self.type == "boolean":
            return "true, false"
        return ""


def _fmt_enum(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _na(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return False


def _num(fmt: str, v: Any) -> str:
    out = fmt.format(float(v))
    if out in ("-0", "-0.0", "-0.00", "-0.000"):
        out = out[1:]
    return out


@dataclass
class Table:
    """A dataset: schema, documentation and builder."""

    name: str
    title: str
    description: str
    fields: list[Field]
    build: Callable[[np.random.Generator, "Context"], pd.DataFrame]
    seed: int
    primary_key: list[str] | None = None
    foreign_keys: list[dict] = field(default_factory=list)
    compress: bool = False
    min_rows: int = 1
    area: str = ""  # course area, for the README

    @property
    def path(self) -> str:
        return f"{self.name}.csv.gz" if self.compress else f"{self.name}.csv"

    def resource(self, n_rows: int) -> dict:
        schema: dict[str, Any] = {"fields": [f.schema() for f in self.fields]}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        res: dict[str, Any] = {
            "name": self.name,
            "path": self.path,
            "title": self.title,
            "description": self.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
        }
        if self.compress:
            res["compression"] = "gz"
        res["schema"] = schema
        res["rowCount"] = n_rows  # informational; checked by the tests
        return res

    def to_bytes(self, df: pd.DataFrame) -> bytes:
        names = [f.name for f in self.fields]
        if list(df.columns) != names:
            raise ValueError(
                f"{self.name}: builder columns {list(df.columns)} != schema {names}"
            )
        text = pd.DataFrame(
            {f.name: f.format_column(df[f.name]).to_numpy() for f in self.fields}
        )
        for f in self.fields:  # a cell pandas would silently read as missing
            bad = text[f.name].isin(PANDAS_NA_TOKENS)
            if bad.any():
                raise ValueError(f"{self.name}.{f.name}: value {text[f.name][bad].iloc[0]!r} reads as NA")
        buf = io.StringIO()
        text.to_csv(buf, index=False, lineterminator="\n")
        raw = buf.getvalue().encode("utf-8")
        if not self.compress:
            return raw
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=6) as gz:
            gz.write(raw)
        return out.getvalue()


class Context:
    """Builds tables on demand, each with its own seed, at most once."""

    def __init__(self, tables: list[Table]):
        self.specs = {t.name: t for t in tables}
        self.built: dict[str, pd.DataFrame] = {}

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.built:
            spec = self.specs[name]
            rng = np.random.default_rng(spec.seed)
            df = spec.build(rng, self)
            self.built[name] = df.reset_index(drop=True)
        return self.built[name]
