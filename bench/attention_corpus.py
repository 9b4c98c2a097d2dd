"""Write the attention page's Japanese text, `core/texts/ja.txt`, from the lab's own Japanese page texts.

The character-level GPT of the attention page learns from this file. It is the Japanese strings of
`ui/strings/*.py` (the `JA` dicts) with what is not prose taken out: `{placeholders}`, `$math$`, inline
`code`, markdown marks and links; one string per paragraph, lines without Japanese dropped, duplicates
once. Run from the repository root: `python -m bench.attention_corpus` (it prints the size and the
number of distinct characters).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "core" / "texts" / "ja.txt"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
STRIP = (
    (re.compile(r"\{[^{}]*\}"), ""),  # format placeholders
    (re.compile(r"\$[^$]*\$"), ""),  # inline math
    (re.compile(r"`[^`]*`"), ""),  # inline code
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # markdown links: keep the words
    (re.compile(r":material/[a-z_]+:"), ""),  # Streamlit icons
    (re.compile(r"[*_#>|]+"), ""),  # emphasis, headings, quotes, tables
    (re.compile(r"[ \t\u3000]+"), " "),
)


def paragraphs(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    for pattern, repl in STRIP:
        text = pattern.sub(repl, text)
    lines = [line.strip(" -・") for line in text.splitlines()]
    return [line for line in lines if JAPANESE.search(line) and len(line) >= 4]


def build() -> str:
    sys.path.insert(0, str(ROOT))
    import ui.strings as pkg

    seen, out = set(), []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        table = importlib.import_module(f"ui.strings.{info.name}").JA
        for value in table.values():
            for line in paragraphs(value):
                if line not in seen:
                    seen.add(line)
                    out.append(line)
    return "\n".join(out) + "\n"


def main() -> int:
    text = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(
        f"wrote {OUT.relative_to(ROOT)}: {len(text)} characters, {len(set(text))} distinct, "
        f"{len(text.encode('utf-8'))} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
