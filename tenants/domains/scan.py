"""Address scan: which addresses in an exported address list are on retired domains.

The crisis tool in the SVMN breach still had @bjzutrecht.nl addresses in its recipient
lists. An administrator exports a list from any system and uploads it; the file is read
as a stream, once, and not kept. Whatever system made it: the encoding (UTF-8 with or
without BOM, UTF-16, Windows-1252), the delimiter (comma, semicolon, tab, pipe) and
whether there is a header are detected; addresses are found in every cell (several per
cell, "Name <address>" forms) unless one column is named. A file that is not CSV gets a
clear message with the line where reading stopped.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .rules import address_domain, covering

SAMPLE = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
SYSTEM_HEADERS = {"systeem", "system", "applicatie", "application", "bron", "source", "systeemnaam"}
ADDRESS = re.compile(r"[^\s@<>,;:\"'()\[\]]+@[^\s@<>,;:\"'()\[\]/]+\.[^\s@<>,;:\"'()\[\]/]+")
csv.field_size_limit(1024 * 1024)


class ScanError(ValueError):
    """The file cannot be read as an address list; the message says why and what to do."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class ScanResult:
    rows: int = 0
    addresses: int = 0
    unique_addresses: int = 0
    hits: int = 0
    encoding: str = ""
    delimiter: str = ","
    header: list[str] | None = None
    address_columns: dict[str, int] = field(default_factory=dict)
    # retired domain -> address -> [occurrences, first line, {systems}]
    by_domain: dict[str, dict[str, list]] = field(default_factory=dict)
    # system -> retired domain -> occurrences
    by_system: dict[str, Counter] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def unique_hits(self) -> int:
        return sum(len(addresses) for addresses in self.by_domain.values())

    def domain_counts(self) -> dict[str, int]:
        return {d: sum(v[0] for v in addrs.values()) for d, addrs in sorted(self.by_domain.items())}

    def system_counts(self) -> dict[str, int]:
        return {s: sum(c.values()) for s, c in sorted(self.by_system.items())}

    def as_dict(self) -> dict:
        return {
            "rows": self.rows, "addresses": self.addresses, "unique_addresses": self.unique_addresses,
            "hits": self.hits, "unique_hits": self.unique_hits, "encoding": self.encoding,
            "delimiter": self.delimiter, "address_columns": list(self.address_columns),
            "by_domain": {d: [{"address": a, "occurrences": v[0], "first_line": v[1],
                               "systems": sorted(v[2])} for a, v in sorted(addrs.items())]
                          for d, addrs in sorted(self.by_domain.items())},
            "by_system": {s: dict(sorted(c.items())) for s, c in sorted(self.by_system.items())},
            "seconds": round(self.seconds, 3),
        }


class _Rejoin(io.RawIOBase):
    """The bytes already read for detection, then the rest of the upload: one stream."""

    def __init__(self, head: bytes, rest):
        self.head, self.rest = memoryview(head), rest

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        chunk = self.rest.read(len(buffer))
        n = len(chunk)
        buffer[:n] = chunk
        return n


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        sample = head[:4096]
        if sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0:
            return "utf-16-le"
        if sample[0::2].count(0) > len(sample) // 4 and sample[1::2].count(0) == 0:
            return "utf-16-be"
        raise ScanError(_l("This is not a text file. Export the address list as CSV and upload that."))
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"  # what Excel on Windows writes for "CSV (gescheiden door lijstscheidingsteken)"


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) > 1 and len(text) >= SAMPLE - 4:
        lines = lines[:-1]  # the last line of a cut sample may be incomplete
    best, best_score = ",", (0, 0)
    for candidate in DELIMITERS:
        counts = Counter(line.count(candidate) for line in lines)
        mode, agree = counts.most_common(1)[0] if counts else (0, 0)
        if mode == 0:
            continue
        score = (agree, mode)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _index(header: list[str] | None, wanted: str, width: int) -> int | None:
    wanted = wanted.strip()
    if header is not None:
        names = [h.strip().casefold() for h in header]
        if wanted.casefold() in names:
            return names.index(wanted.casefold())
    if wanted.isdigit() and 1 <= int(wanted) <= max(width, 1):
        return int(wanted) - 1
    return None


_CSV_REASONS = {
    "line contains nul": _l("the line contains a NUL character (is this really a text file?)"),
    "unexpected end of data": _l("a quoted value is not closed"),
    "field larger than field limit": _l("a value is longer than 1 MB"),
}


def _csv_problem(exc: csv.Error, line: int) -> ScanError:
    text = str(exc).lower()
    reason = next((msg for key, msg in _CSV_REASONS.items() if key in text), None)
    if reason is None and "expected after" in text:
        reason = _l("a quote is followed by other text than a delimiter")
    if reason is None:
        reason = _l("the file is not valid CSV")
    return ScanError(_l("The file cannot be read as CSV at line %(line)s: %(reason)s. Export it again as "
                        "CSV, or open it in a spreadsheet and save it as CSV.", line=line, reason=reason))


def scan(stream, retired: set[str] | frozenset[str], *, system: str | None = None,
         column: str | None = None, system_column: str | None = None) -> ScanResult:
    """Read an address list from a binary stream; report addresses on `retired` domains."""
    started = time.perf_counter()
    head = stream.read(SAMPLE)
    if not head or not head.strip():
        raise ScanError(_l("The file is empty."))
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ScanError(_l("This is an Excel workbook (or another packed file), not a CSV file. Open it and "
                           "save or export it as CSV, then upload that."))
    encoding = _encoding(head)
    try:
        result = _scan(head, stream, encoding, retired, system, column, system_column)
    except UnicodeDecodeError:
        if encoding != "utf-8" or not _rewind(stream):
            raise ScanError(_l("The file mixes character encodings and cannot be read. Save it again as "
                               "CSV UTF-8 and upload that.")) from None
        stream.seek(0)
        head = stream.read(SAMPLE)
        result = _scan(head, stream, "cp1252", retired, system, column, system_column)
    result.seconds = time.perf_counter() - started
    return result


def _rewind(stream) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError):
        return False


def _scan(head, stream, encoding, retired, system, column, system_column) -> ScanResult:
    result = ScanResult(encoding=encoding)
    errors = "replace" if encoding == "cp1252" else "strict"
    result.delimiter = _delimiter(head.decode(encoding, errors="replace"))
    text = io.TextIOWrapper(io.BufferedReader(_Rejoin(head, stream), 1 << 16), encoding=encoding,
                            errors=errors, newline="")
    reader = csv.reader(text, delimiter=result.delimiter, strict=True)
    retired = frozenset(retired)
    default_system = (system or "").strip() or None
    seen: set[str] = set()
    col_counts: Counter = Counter()
    by_domain: dict[str, dict[str, list]] = defaultdict(dict)
    by_system: dict[str, Counter] = defaultdict(Counter)
    only = sys_index = None
    first = True
    rows = addresses = hits = done = 0  # done: the last line of the last complete row
    try:
        for row in reader:
            line, done = done + 1, reader.line_num
            if first:
                first = False
                if row and not any("@" in cell for cell in row) and any(cell.strip() for cell in row):
                    result.header = [cell.strip() for cell in row]
                if column:
                    only = _index(result.header, column, len(row))
                    if only is None:
                        raise ScanError(_l("The file has no column %(name)s.", name=column[:100]))
                if system_column:
                    sys_index = _index(result.header, system_column, len(row))
                    if sys_index is None:
                        raise ScanError(_l("The file has no column %(name)s.", name=system_column[:100]))
                elif result.header is not None:
                    sys_index = next((i for i, h in enumerate(result.header)
                                      if h.casefold() in SYSTEM_HEADERS), None)
                if result.header is not None:
                    continue
            rows += 1
            cells = ((only, row[only]),) if only is not None and only < len(row) else (
                () if only is not None else enumerate(row))
            for idx, cell in cells:
                if "@" not in cell:
                    continue
                for address in ADDRESS.findall(cell):
                    address = address.rstrip(".").lower()
                    addresses += 1
                    col_counts[idx] += 1
                    seen.add(address)
                    domain = address_domain(address)
                    hit = covering(domain, retired) if domain else None
                    if hit is None:
                        continue
                    hits += 1
                    name = default_system
                    if sys_index is not None and sys_index < len(row) and row[sys_index].strip():
                        name = row[sys_index].strip()[:100]
                    name = name or ""
                    entry = by_domain[hit].get(address)
                    if entry is None:
                        by_domain[hit][address] = [1, line, {name} if name else set()]
                    else:
                        entry[0] += 1
                        if name:
                            entry[2].add(name)
                    by_system[name][hit] += 1
    except csv.Error as exc:
        raise _csv_problem(exc, done + 1) from None
    if first:
        raise ScanError(_l("The file is empty."))
    result.rows, result.addresses, result.hits = rows, addresses, hits
    result.unique_addresses = len(seen)
    result.by_domain, result.by_system = dict(by_domain), dict(by_system)
    names = result.header or []
    result.address_columns = {
        (names[i] if i < len(names) and names[i] else str(_l("column %(n)s", n=i + 1))): n
        for i, n in sorted(col_counts.items())
    }
    return result


def hits_csv(result: ScanResult) -> str:
    """The addresses found, as CSV (semicolons, as Dutch Excel expects)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["domain", "address", "occurrences", "first_line", "systems"])
    for domain, addresses in sorted(result.by_domain.items()):
        for address, (count, line, systems) in sorted(addresses.items()):
            writer.writerow([domain, address, count, line, ", ".join(sorted(systems))])
    return out.getvalue()
